package ukl.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Disk for the fingerprint explorer's big runs (issue 15): the trace log past what memory is given
 * to it, and queue chunks while the queue is long. Files live in java.io.tmpdir, are named
 * ukl-fp-*, and are opened DELETE_ON_CLOSE, which on Linux unlinks them at once: the space is
 * freed when the run ends, however it ends (kill -9 included).
 */
final class Spill {
    private Spill() {}

    private static FileChannel create(String what) {
        try {
            Path p = Files.createTempFile("ukl-fp-" + what + "-", ".bin");
            p.toFile().deleteOnExit();
            // DELETE_ON_CLOSE: the file goes when the channel closes, whatever ends the run.
            return FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spill file in " + System.getProperty("java.io.tmpdir"), e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) pos += ch.write(b, pos);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("spill file ends early");
            pos += r;
        }
        b.flip();
    }

    /**
     * Per state id: its parent's id and its fingerprint, which rebuild a trace by re-running the
     * successor function. 12 bytes a state (the parent as an unsigned int: ids stay below 2^32).
     * The first chunks stay in memory (every trace starts there); past {@code memoryEntries} each
     * chunk goes to disk when it fills.
     */
    static final class TraceLog implements AutoCloseable {
        private final int BITS, N;   // entries per chunk: 2^16, smaller in tests
        private int[][] parent = new int[16][];
        private long[][] fp = new long[16][];
        private long n, disk;
        private final long memoryChunks;
        private FileChannel file;

        TraceLog(long memoryEntries) { this(memoryEntries, 16); }

        TraceLog(long memoryEntries, int chunkBits) {
            BITS = chunkBits;
            N = 1 << chunkBits;
            memoryChunks = memoryEntries >>> BITS;
        }

        long size() { return n; }

        void add(long parentId, long f) {
            int c = (int) (n >>> BITS), i = (int) (n & (N - 1));
            if (c == parent.length) { parent = Arrays.copyOf(parent, c * 2); fp = Arrays.copyOf(fp, c * 2); }
            if (parent[c] == null) { parent[c] = new int[N]; fp[c] = new long[N]; }
            parent[c][i] = (int) parentId;
            fp[c][i] = f;
            n++;
            if (i == N - 1 && c >= memoryChunks) spill(c);
        }

        private void spill(int c) {
            if (file == null) file = create("log");
            ByteBuffer b = ByteBuffer.allocate(12 * N).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < N; i++) b.putInt(parent[c][i]);
            for (int i = 0; i < N; i++) b.putLong(fp[c][i]);
            b.flip();
            try { writeFully(file, b, (long) c * 12 * N); } catch (IOException e) { throw new UncheckedIOException("writing the trace log", e); }
            disk += 12L * N;
            parent[c] = null;
            fp[c] = null;
        }

        /** The parent of id, -1 for the initial state. */
        long parent(long id) {
            if (id == 0) return -1;
            int c = (int) (id >>> BITS), i = (int) (id & (N - 1));
            if (parent[c] != null) return Integer.toUnsignedLong(parent[c][i]);
            return Integer.toUnsignedLong(read(c, i * 4L, 4).getInt());
        }

        long fp(long id) {
            int c = (int) (id >>> BITS), i = (int) (id & (N - 1));
            if (fp[c] != null) return fp[c][i];
            return read(c, 4L * N + 8L * i, 8).getLong();
        }

        private ByteBuffer read(int c, long within, int len) {
            ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
            try { readFully(file, b, (long) c * 12 * N + within); } catch (IOException e) { throw new UncheckedIOException("reading the trace log", e); }
            return b;
        }

        long memoryBytes() { long b = 0; for (int[] x : parent) if (x != null) b += 12L * x.length; return b; }
        long diskBytes() { return disk; }

        @Override public void close() {
            if (file != null) try { file.close(); } catch (IOException ignored) { /* the file is deleted on close or at exit */ }
            file = null;
        }
    }

    /**
     * Queue chunks' bytes on disk, first in, first out, in segment files of up to 256 chunks, each
     * deleted once every chunk in it has been read back. The explorer spills the chunks it queues
     * while the in-memory queue is over its budget.
     */
    static final class Queue implements AutoCloseable {
        private static final int PER_SEGMENT = 256;
        private final ArrayDeque<FileChannel> segments = new ArrayDeque<>();
        private final ArrayDeque<Integer> unread = new ArrayDeque<>();   // chunks not yet read back, per segment
        private FileChannel writing;
        private long writePos, readPos, onDisk, peakOnDisk;
        private int inWriting;

        /** Appends one chunk's bytes; chunks come back in the order they went. */
        void put(byte[] data) {
            int len = data.length;
            if (writing == null || inWriting == PER_SEGMENT) {
                writing = create("queue");
                segments.add(writing);
                unread.add(0);
                writePos = 0;
                inWriting = 0;
            }
            ByteBuffer b = ByteBuffer.allocate(4 + len).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(len).put(data, 0, len).flip();
            try { writeFully(writing, b, writePos); } catch (IOException e) { throw new UncheckedIOException("writing the queue spill", e); }
            writePos += 4 + len;
            inWriting++;
            unread.add(unread.removeLast() + 1);
            onDisk += 4 + len;
            peakOnDisk = Math.max(peakOnDisk, onDisk);
        }

        /** The oldest chunk's bytes not yet read back. */
        byte[] take() {
            try {
                while (unread.peekFirst() == 0) {   // the head segment is read through: it goes
                    FileChannel old = segments.poll();
                    unread.poll();
                    if (old == writing) writing = null;
                    old.close();
                    readPos = 0;
                }
                FileChannel ch = segments.peek();
                ByteBuffer h = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, h, readPos);
                int len = h.getInt();
                ByteBuffer b = ByteBuffer.allocate(len);
                readFully(ch, b, readPos + 4);
                readPos += 4 + len;
                onDisk -= 4 + len;
                unread.addFirst(unread.removeFirst() - 1);
                return b.array();
            } catch (IOException e) {
                throw new UncheckedIOException("reading the queue spill", e);
            }
        }

        long peakDiskBytes() { return peakOnDisk; }

        @Override public void close() {
            for (FileChannel ch : segments) try { ch.close(); } catch (IOException ignored) { /* deleted on close or at exit */ }
            segments.clear();
        }
    }
}
