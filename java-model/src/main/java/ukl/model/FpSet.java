package ukl.model;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The fingerprint explorer's visited set: 64-bit fingerprints of canonical state encodings in an
 * open-addressing table of longs (linear probing, 0 = empty), as TLC's FPSet. Eight bytes a slot,
 * kept at most 3/4 full (about 11-21 bytes per distinct state), or of a fixed size
 * chosen with {@code --fp-memory} that is never copied to grow (TLC's {@code -fpmem}), needed for
 * runs near a billion states, where a doubling would need three tables' worth of memory at once. Two different states with the same
 * fingerprint count as one (a collision); {@link #collisionProbability} estimates that chance as
 * TLC does.
 */
final class FpSet {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // Slots in chunks of 2^24 longs (128 MiB), so the table can pass Java's 2^31-element array limit.
    private static final int CHUNK_BITS = 24, CHUNK = 1 << CHUNK_BITS;
    private long[][] table;
    private long slots, size, limit;
    private final boolean fixed;

    /** A table that doubles when 3/4 full. */
    FpSet(int initialCapacity) {
        this(Math.max(1024, Long.highestOneBit(Math.max(1024, initialCapacity - 1)) << 1), false);
    }

    /** A table of exactly {@code slots} slots when fixed (--fp-memory): it never grows, and is full at 95 %. */
    FpSet(long slots, boolean fixed) {
        this.fixed = fixed;
        allocate(slots);
    }

    private void allocate(long n) {
        if (n >= 1L << 32) throw new OutOfMemoryError("fingerprint table past 2^32 slots");
        slots = n;
        int chunks = (int) ((n + CHUNK - 1) >>> CHUNK_BITS);
        table = new long[chunks][];
        for (int c = 0; c < chunks; c++) table[c] = new long[(int) Math.min(CHUNK, n - ((long) c << CHUNK_BITS))];
        limit = fixed ? (long) (n * 0.95) : n / 4 * 3;
    }

    long size() { return size; }
    long bytes() { return 8L * slots; }

    /** Whether the next add could find no room (a fixed table at 95 %): the search ends incomplete. */
    boolean full() { return fixed && size >= limit; }

    /** The home slot: fp's high bits scaled to the table (Lemire's multiply-shift; any table size). */
    private long home(long fp) { return ((fp >>> 32) * slots) >>> 32; }   // slots < 2^32, so the product fits 64 unsigned bits

    /** Adds fp; true when it was not there. */
    boolean add(long fp) {
        if (size >= limit) {
            if (fixed) throw new IllegalStateException("fingerprint table full");
            grow();
        }
        long i = home(fp);
        while (true) {
            long[] t = table[(int) (i >>> CHUNK_BITS)];
            int j = (int) (i & (CHUNK - 1));
            long e = t[j];
            if (e == 0) { t[j] = fp; size++; return true; }
            if (e == fp) return false;
            if (++i == slots) i = 0;
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
