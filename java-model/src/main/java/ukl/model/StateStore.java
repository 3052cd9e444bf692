package ukl.model;

import java.util.Arrays;

/**
 * The explorer's visited set: canonical state encodings in insertion (BFS) order, indexed by an
 * open-addressing hash table. Storing packed byte arrays, not object graphs, keeps millions of
 * states within memory.
 */
final class StateStore {
    private byte[][] states = new byte[1024][];
    private int size;
    private int[] table = new int[2048];   // id + 1; 0 = empty
    private long bytes;

    int size() { return size; }
    byte[] get(int id) { return states[id]; }
    long bytes() { return bytes; }

    /** Adds b; returns its new id, or -(existing id) - 1 when already present. */
    int add(byte[] b) {
        if (size * 2 >= table.length) rehash();
        int mask = table.length - 1;
        int i = mix(Arrays.hashCode(b)) & mask;
        while (true) {
            int e = table[i];
            if (e == 0) break;
            if (Arrays.equals(states[e - 1], b)) return -(e - 1) - 1;
            i = (i + 1) & mask;
        }
        if (size == states.length) states = Arrays.copyOf(states, size * 2);
        states[size] = b;
        table[i] = size + 1;
        bytes += b.length + 16;
        return size++;
    }

    int find(byte[] b) {
        int mask = table.length - 1;
        int i = mix(Arrays.hashCode(b)) & mask;
        while (true) {
            int e = table[i];
            if (e == 0) return -1;
            if (Arrays.equals(states[e - 1], b)) return e - 1;
            i = (i + 1) & mask;
        }
    }

    private void rehash() {
        int[] t = new int[table.length * 2];
        int mask = t.length - 1;
        for (int id = 0; id < size; id++) {
            int i = mix(Arrays.hashCode(states[id])) & mask;
            while (t[i] != 0) i = (i + 1) & mask;
            t[i] = id + 1;
        }
        table = t;
    }

    private static int mix(int h) {
        h ^= h >>> 16; h *= 0x85ebca6b; h ^= h >>> 13; h *= 0xc2b2ae35; h ^= h >>> 16;
        return h;
    }
}
