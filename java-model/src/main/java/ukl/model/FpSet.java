package ukl.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fingerprint explorer's visited set: 64-bit fingerprints of canonical state encodings in an
 * open-addressing table of longs (linear probing, 0 = empty), as TLC's FPSet. Eight bytes a slot,
 * kept at most 3/4 full (about 11-21 bytes per distinct state), or of a fixed size
 * chosen with {@code --fp-memory} that is never copied to grow (TLC's {@code -fpmem}), needed for
 * runs near a billion states, where a doubling would need three tables' worth of memory at once. Two different states with the same
 * fingerprint count as one (a collision); {@link #collisionProbability} estimates that chance as
 * TLC does.
 *
 * <p>When the table is full and may not grow (a fixed table at 95 %, or a growing one whose next
 * doubling would pass its memory budget), its fingerprints move to disk, as TLC's DiskFPSet does:
 * each chunk of the table is sorted in place and merged with the sorted file already on disk into
 * a new sorted file, the table is emptied, and lookups that miss the table ask a Bloom filter of the
 * file, then binary-search the file (memory-mapped, so the page cache serves it) through an
 * in-memory index of every page's first fingerprint. Memory then holds the table, the filter (4 to
 * 8 bits a fingerprint on disk), the index (8 bytes per 1024) and what the page cache keeps of the
 * file; the file costs 8 bytes a fingerprint on disk.
 */
final class FpSet implements AutoCloseable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // Slots in chunks of 2^24 longs (128 MiB), so the table can pass Java's 2^31-element array limit.
    private static final int CHUNK_BITS = 24, CHUNK = 1 << CHUNK_BITS;
    private long[][] table;
    private long slots, size, limit;
    private final boolean fixed;
    /** For a growing table that spills: the bytes its doubling (old and new table at once) may take; past that it moves to disk instead. */
    private final long budget;
    private final boolean spills;
    private Disk disk;
    private int flushes;

    /** A table that doubles when 3/4 full, in memory only. */
    FpSet(int initialCapacity) { this(initialCapacity, false, false, 0); }

    /**
     * A table of exactly {@code slots} slots when fixed (--fp-memory), full at 95 %, else of the
     * next power of two, doubled when 3/4 full. With {@code spills}, a full table moves its fingerprints to disk instead of ending the run: a
     * fixed one at 95 %, a growing one when a doubling (the old and the new table at once, three
     * times its size) would pass {@code budget} bytes.
     */
    FpSet(long slots, boolean fixed, boolean spills, long budget) {
        this.fixed = fixed;
        this.spills = spills;
        this.budget = budget;
        allocate(fixed ? slots : Math.max(1024, Long.highestOneBit(Math.max(1024, slots - 1)) << 1));
    }

    private void allocate(long n) {
        if (n >= 1L << 32) throw new OutOfMemoryError("fingerprint table past 2^32 slots");
        slots = n;
        int chunks = (int) ((n + CHUNK - 1) >>> CHUNK_BITS);
        table = new long[chunks][];
        for (int c = 0; c < chunks; c++) table[c] = new long[(int) Math.min(CHUNK, n - ((long) c << CHUNK_BITS))];
        limit = fixed ? (long) (n * 0.95) : n / 4 * 3;
    }

    /** Fingerprints held: in the table and on disk. */
    long size() { return size + (disk == null ? 0 : disk.n); }
    /** Memory: the table, and the disk file's index and Bloom filter. */
    long bytes() { return 8L * slots + (disk == null ? 0 : 8L * disk.index.length + 8L * disk.bloom.length); }
    long diskBytes() { return disk == null ? 0 : 8L * disk.n; }
    int flushes() { return flushes; }

    /** The home slot: fp's high bits scaled to the table (Lemire's multiply-shift; any table size). */
    private long home(long fp) { return ((fp >>> 32) * slots) >>> 32; }   // slots < 2^32, so the product fits 64 unsigned bits

    /** Adds fp; true when it was not there. */
    boolean add(long fp) {
        if (size >= limit) {
            if (!fixed && !(spills && 3 * bytes() > budget)) grow();
            else if (spills) flush();
            else throw new IllegalStateException("fingerprint table full");
        }
        long i = home(fp);
        while (true) {
            long[] t = table[(int) (i >>> CHUNK_BITS)];
            int j = (int) (i & (CHUNK - 1));
            long e = t[j];
            if (e == 0) {
                if (disk != null && disk.contains(fp)) return false;
                t[j] = fp; size++; return true;
            }
            if (e == fp) return false;
            if (++i == slots) i = 0;
        }
    }

    /**
     * Moves every fingerprint of the table to disk: each chunk's fingerprints are packed to its
     * front and sorted in place (no second table in memory), then merged with the file on disk
     * into a new sorted file; the table is emptied.
     */
    private void flush() {
        List<long[]> runs = new ArrayList<>();
        List<Integer> lens = new ArrayList<>();
        for (long[] t : table) {
            int n = 0;
            for (int j = 0; j < t.length; j++) if (t[j] != 0) t[n++] = t[j];
            Arrays.sort(t, 0, n);
            Arrays.fill(t, n, t.length, 0);
            runs.add(t);
            lens.add(n);
        }
        Disk next = Disk.merge(runs, lens, disk);
        if (disk != null) disk.close();
        disk = next;
        for (long[] t : table) Arrays.fill(t, 0);
        size = 0;
        flushes++;
    }

    @Override public void close() { if (disk != null) { disk.close(); disk = null; } }

    /** The sorted file of fingerprints a full table moved to disk, and its page index. */
    private static final class Disk {
        private static final int PAGE = 1024;                     // fingerprints per index entry
        private static final int SEG_BITS = 27, SEG = 1 << SEG_BITS;   // longs per mapped segment (1 GiB)
        final long n;
        final long[] index;                                       // the first fingerprint of every page
        /**
         * A Bloom filter of the file's fingerprints, 4 to 8 bits each, two probes: most new
         * fingerprints (every state's first visit misses the table) skip the file search.
         */
        final long[] bloom;
        private final int bloomShift;
        private final LongBuffer[] segs;
        private final FileChannel ch;

        private Disk(long n, long[] index, long[] bloom, int bloomShift, LongBuffer[] segs, FileChannel ch) {
            this.n = n; this.index = index; this.bloom = bloom; this.bloomShift = bloomShift; this.segs = segs; this.ch = ch;
        }

        /** Bits of the filter for n fingerprints: the power of two in [4n, 8n), at least 2^12. */
        static int bloomBits(long n) { return Math.max(12, 63 - Long.numberOfLeadingZeros(Math.max(1, 8 * n))); }
        // Two probes from the fingerprint, itself a strong hash: two multiplicative hashes of it.
        static long probe1(long fp, int shift) { return (fp * 0x9E3779B97F4A7C15L) >>> shift; }
        static long probe2(long fp, int shift) { return (Long.rotateLeft(fp, 29) * 0xC2B2AE3D27D4EB4FL) >>> shift; }
        private static boolean bit(long[] b, long i) { return (b[(int) (i >>> 6)] & (1L << i)) != 0; }
        private static void set(long[] b, long i) { b[(int) (i >>> 6)] |= 1L << i; }

        private long at(long i) { return segs[(int) (i >>> SEG_BITS)].get((int) (i & (SEG - 1))); }

        boolean contains(long fp) {
            // the last page whose first fingerprint is <= fp (signed order, the files' order)
            int lo = 0, hi = index.length - 1;
            if (hi < 0 || fp < index[0]) return false;
            if (!bit(bloom, probe1(fp, bloomShift)) || !bit(bloom, probe2(fp, bloomShift))) return false;
            while (lo < hi) { int mid = (lo + hi + 1) >>> 1; if (index[mid] <= fp) lo = mid; else hi = mid - 1; }
            long a = (long) lo * PAGE, b = Math.min(n, a + PAGE) - 1;
            while (a <= b) {
                long mid = (a + b) >>> 1;
                long v = at(mid);
                if (v == fp) return true;
                if (v < fp) a = mid + 1; else b = mid - 1;
            }
            return false;
        }

        /** A k-way merge of the sorted runs and the old file (which the runs never repeat) into a new file. */
        static Disk merge(List<long[]> runs, List<Integer> lens, Disk old) {
            int k = runs.size() + (old == null ? 0 : 1);
            long total = old == null ? 0 : old.n;
            for (int l : lens) total += l;
            long[] head = new long[k];
            long[] pos = new long[k];
            long[] end = new long[k];
            for (int r = 0; r < runs.size(); r++) end[r] = lens.get(r);
            if (old != null) end[k - 1] = old.n;
            int[] heap = new int[k];
            int hn = 0;
            for (int r = 0; r < k; r++) if (end[r] > 0) { head[r] = r < runs.size() ? runs.get(r)[0] : old.at(0); heap[hn++] = r; }
            for (int i = hn / 2 - 1; i >= 0; i--) sift(heap, hn, i, head);
            try {
                Path p = Files.createTempFile("ukl-fp-fingerprints-", ".bin");
                p.toFile().deleteOnExit();
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
                ByteBuffer out = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.nativeOrder());
                long[] index = new long[(int) ((total + PAGE - 1) / PAGE)];
                int bits = bloomBits(total), shift = 64 - bits;
                long[] bloom = new long[(int) ((1L << bits) >>> 6)];
                long written = 0, filePos = 0;
                while (hn > 0) {
                    int r = heap[0];
                    long v = head[r];
                    if ((written & (PAGE - 1)) == 0) index[(int) (written / PAGE)] = v;
                    set(bloom, probe1(v, shift));
                    set(bloom, probe2(v, shift));
                    out.putLong(v);
                    written++;
                    if (!out.hasRemaining()) { out.flip(); while (out.hasRemaining()) filePos += ch.write(out, filePos); out.clear(); }
                    if (++pos[r] < end[r]) head[r] = r < runs.size() ? runs.get(r)[(int) pos[r]] : old.at(pos[r]);
                    else heap[0] = heap[--hn];
                    if (hn > 0) sift(heap, hn, 0, head);
                }
                out.flip();
                while (out.hasRemaining()) filePos += ch.write(out, filePos);
                LongBuffer[] segs = new LongBuffer[(int) ((total + SEG - 1) >>> SEG_BITS)];
                for (int s = 0; s < segs.length; s++) {
                    long from = (long) s << SEG_BITS, len = Math.min(SEG, total - from);
                    segs[s] = ch.map(FileChannel.MapMode.READ_ONLY, from * 8, len * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
                }
                return new Disk(total, index, bloom, shift, segs, ch);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the fingerprint file in " + System.getProperty("java.io.tmpdir"), e);
            }
        }

        private static void sift(int[] heap, int n, int i, long[] head) {
            while (true) {
                int l = 2 * i + 1, m = i;
                if (l < n && head[heap[l]] < head[heap[m]]) m = l;
                if (l + 1 < n && head[heap[l + 1]] < head[heap[m]]) m = l + 1;
                if (m == i) return;
                int x = heap[i]; heap[i] = heap[m]; heap[m] = x;
                i = m;
            }
        }

        void close() {
            try { ch.close(); } catch (IOException e) { throw new UncheckedIOException("cannot close the fingerprint file", e); }
        }
    }

    private void grow() {
        long[][] old = table;
        allocate(slots * 2);
        for (long[] t : old)
            for (long fp : t) {
                if (fp == 0) continue;
                long i = home(fp);
                while (table[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] != 0) if (++i == slots) i = 0;
                table[(int) (i >>> CHUNK_BITS)][(int) (i & (CHUNK - 1))] = fp;
            }
    }

    /**
     * TLC's "calculated (optimistic)" estimate of the probability that some two distinct states
     * shared a fingerprint: each of the (generated - distinct) duplicate hits could have matched a
     * wrong state among the distinct ones, each with chance 2^-64.
     */
    static double collisionProbability(long distinct, long generated) {
        return (double) distinct * Math.max(0, generated - distinct) / 0x1p64;
    }

    /** A 64-bit fingerprint of b[off, off + n): 8 bytes a round, a strong final mix; never 0. */
    static long of(byte[] b, int off, int n) {
        long h = 0x9E3779B97F4A7C15L ^ (n * 0xC2B2AE3D27D4EB4FL);
        int i = off, end = off + n;
        for (; i + 8 <= end; i += 8) {
            long w = (long) LONGS.get(b, i);
            h ^= mix(w);
            h = Long.rotateLeft(h, 27) * 0x9E3779B97F4A7C15L + 0x52DCE729L;
        }
        long tail = 0;
        for (int k = 0; i < end; i++, k += 8) tail |= (b[i] & 0xFFL) << k;
        h ^= mix(tail ^ 0x27D4EB2F165667C5L);
        h = mix(h);
        return h == 0 ? 1 : h;
    }

    private static long mix(long z) {   // splitmix64's finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
