package ukl.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The fingerprint explorer (issue 15): the same breadth-first search as the exact one, with the
 * same verdicts, counts and shortest traces, but a state is kept whole only while it waits in the
 * queue. The visited set holds 64-bit fingerprints ({@link FpSet}); a log of (parent id,
 * fingerprint) per state rebuilds a trace by re-running the successor function from the initial
 * state along the fingerprints; liveness keeps only the states where a starvation condition holds
 * (with their outgoing fairness classes and the edges between them), which is all the fair-cycle
 * search of {@link Explorer} reads.
 *
 * <p>Parallel: states are expanded (decode, successors, encode, fingerprint) by worker threads, a
 * chunk of consecutive ids at a time, each with its own {@link Machine} (it keeps per-step
 * scratch); the calling thread takes the chunks' results strictly in id order and alone touches
 * the visited set, the ids and the bounds. So ids, counts, first violations and traces are those of
 * the one-threaded search whatever the number of workers.
 */
final class FpSearch {
    private static final int CHUNK = 512;
    private final Scenario sc;
    private final Machine m;
    private final Machine.Perturbation pert;
    private final int workers;
    private final boolean live;     // a liveness property is checked: keep the starvation subgraph
    private final Symmetry sym;     // --symmetry with a group to reduce by: states are fingerprinted and queued as their orbit's canonical form

    private FpSet seen;
    private Spill.TraceLog log;
    private Spill.Queue spill;
    private long queueLimit;
    private long size;
    private long transitions, queueBytes, peakQueueBytes;
    private int maxDepth;
    private String bound;
    private final Map<Property, Long> firstViolation = new EnumMap<>(Property.class);   // id of the state it leaves
    private final Map<Property, Machine.Transition> violationStep = new EnumMap<>(Property.class);
    private final Map<Property, List<State>> traceStates = new EnumMap<>(Property.class);

    // the starvation subgraph: local node ids in BFS order
    private int nBad;
    private long[] badGlobal = new long[256], badFp = new long[256], badMask = new long[256];
    private int[] badTimerOff = new int[256], badOut = new int[256];
    private int[] badEdgeStart = new int[257];
    private long[] badEdgeFp = new long[1024];
    private byte[] badEdgeFair = new byte[1024];
    private int nBadEdges;
    private int[] edgeStart, edgeTo;   // resolved CSR over local ids
    private byte[] edgeFair;

    FpSearch(Scenario sc, Machine.Perturbation p, int workers) {
        this.sc = sc;
        this.pert = p;
        this.m = new Machine(sc, p);
        this.workers = Math.max(1, workers);
        boolean l = false;
        for (Property q : Property.values()) if (q.kind == Property.Kind.LIVENESS && sc.checks(q)) l = true;
        this.live = l;
        Symmetry g = sc.symmetry ? Symmetry.of(m) : null;
        this.sym = g == null || g.trivial() ? null : g;
    }

    Machine machine() { return m; }

    Symmetry symmetry() { return sym; }

    private long logMemoryEntries = -1, queueBudget = -1;

    /** Test hook: memory budgets small enough that a small run spills its trace log (in chunks of 256) and queue to disk. */
    FpSearch budgets(long logEntries, long queueBytes) { logMemoryEntries = logEntries; queueBudget = queueBytes; return this; }

    List<State> traceStates(Property p) { return traceStates.getOrDefault(p, List.of()); }

    // ------------------------------------------------------------------ queue chunks and results

    /** Consecutive new states, id firstId on: their encodings back to back, with depth. */
    private static final class Chunk {
        final long firstId;
        int count, used;
        byte[] data = new byte[CHUNK * 96];
        final int[] off = new int[CHUNK + 1];
        final int[] depth = new int[CHUNK];
        boolean spilled;
        Chunk(long firstId) { this.firstId = firstId; }
        boolean full() { return count == CHUNK; }

        /** Its bytes, offsets and depths, for the queue's disk. */
        byte[] serialize() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + used + 8 * count + 4);
            b.putInt(count).putInt(used).put(data, 0, used);
            for (int i = 0; i <= count; i++) b.putInt(off[i]);
            for (int i = 0; i < count; i++) b.putInt(depth[i]);
            return b.array();
        }

        void restore(byte[] bytes) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
            count = b.getInt();
            used = b.getInt();
            data = new byte[used];
            b.get(data);
            for (int i = 0; i <= count; i++) off[i] = b.getInt();
            for (int i = 0; i < count; i++) depth[i] = b.getInt();
            spilled = false;
        }
        void add(byte[] b, int o, int n, int d) {
            if (used + n > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, used + n));
            System.arraycopy(b, o, data, used, n);
            off[count] = used;
            depth[count] = d;
            used += n;
            off[++count] = used;
        }
    }

    /** What a worker found for one chunk, state by state, successor by successor, in order. Reused once taken. */
    private static final class Expanded {
        Chunk chunk;
        final boolean[] depthCut = new boolean[CHUNK];
        final String[] stuck = new String[CHUNK];
        final int[] succStart = new int[CHUNK + 1];
        long[] fp = new long[CHUNK * 4];
        byte[] fair = new byte[CHUNK * 4];
        byte[] kind = new byte[CHUNK * 4];     // 0 next state, 1 violation, 2 bound
        int[] encOff = new int[CHUNK * 4 + 1];
        byte[] enc = new byte[CHUNK * 4 * 64];
        final List<Object> side = new ArrayList<>();   // violations' transitions and bounds, in order
        final long[] badMask = new long[CHUNK];
        final int[] timerOff = new int[CHUNK], outClasses = new int[CHUNK];
        int n, encUsed;
        Expanded reset(Chunk c) {
            chunk = c;
            n = encUsed = 0;
            side.clear();
            Arrays.fill(depthCut, false);
            Arrays.fill(stuck, null);
            Arrays.fill(outClasses, 0);
            return this;
        }
        int slot() {
            if (n + 1 >= fp.length) {
                int cap = fp.length * 2;
                fp = Arrays.copyOf(fp, cap); fair = Arrays.copyOf(fair, cap); kind = Arrays.copyOf(kind, cap); encOff = Arrays.copyOf(encOff, cap + 1);
            }
            kind[n] = 0;
            encOff[n] = encUsed;
            encOff[n + 1] = encUsed;
            return n++;
        }
        void bytes(byte[] b, int len) {
            if (encUsed + len > enc.length) enc = Arrays.copyOf(enc, Math.max(enc.length * 2, encUsed + len));
            System.arraycopy(b, 0, enc, encUsed, len);
            encUsed += len;
            encOff[n] = encUsed;
        }
    }

    /** A worker's own machine (it keeps per-step scratch), encoder and scratch parent state. */
    private static final class Worker {
        final Machine m;
        final State.Enc enc = new State.Enc(), tmp = new State.Enc();
        final State scratch;
        Worker(Machine m) { this.m = m; this.scratch = m.initial(); }
    }

    private final ConcurrentLinkedQueue<Expanded> spare = new ConcurrentLinkedQueue<>();

    private Expanded expand(Chunk c, Worker w) {
        Expanded spareOne = spare.poll();
        final Expanded x = (spareOne == null ? new Expanded() : spareOne).reset(c);
        Machine mm = w.m;
        State.Enc enc = w.enc;
        for (int i = 0; i < c.count; i++) {
            x.succStart[i] = x.n;
            if (c.depth[i] >= sc.maxDepth) { x.depthCut[i] = true; continue; }
            State s = State.decodeInto(w.scratch, c.data, c.off[i]);
            x.stuck[i] = mm.stuck(s);
            if (live) { x.badMask[i] = badMask(mm, s); if (x.badMask[i] != 0) x.timerOff[i] = timerOff(mm, s); }
            final int si = i;
            mm.successors(s, tr -> {
                int k = x.slot();
                x.fair[k] = (byte) tr.fairClass();
                if (tr.bound() != null) { x.kind[k] = 2; x.side.add(tr.bound()); return; }
                if (tr.violated() != null) { x.kind[k] = 1; x.side.add(tr); return; }
                if (live && tr.fairClass() >= 0) x.outClasses[si] |= 1 << tr.fairClass();   // edges are next states only, as in Explorer
                encodeKey(tr.next(), enc, w.tmp);
                x.fp[k] = FpSet.of(enc.buf, 0, enc.n);
                x.bytes(enc.buf, enc.n);
            });
        }
        x.succStart[c.count] = x.n;
        return x;
    }

    /** What a state is fingerprinted and queued as, into e: its encoding, or under symmetry its orbit's canonical one (a method of its own, so expand's lambda stays small enough to inline). */
    private void encodeKey(State n, State.Enc e, State.Enc tmp) {
        if (sym == null) n.encodeTo(e);
        else sym.canonical(n, e, tmp);
    }

    // ------------------------------------------------------------------ the search

    Result run() {
        long t0 = System.nanoTime();
        ExecutorService pool = null;
        try {
            if (workers > 1) {
                pool = Executors.newFixedThreadPool(workers, r -> { Thread t = new Thread(r, "ukl-explorer"); t.setDaemon(true); return t; });
            }
            return explore(t0, pool);
        } catch (OutOfMemoryError e) {
            seen = null;
            closeFiles();
            badEdgeFp = new long[0];
            List<Property> found = new ArrayList<>(firstViolation.keySet());
            firstViolation.clear(); violationStep.clear(); traceStates.clear();
            return Explorer.outOfMemory(sc, size, transitions, maxDepth, found, t0);
        } finally {
            if (pool != null) pool.shutdownNow();
            closeFiles();
        }
    }

    private void closeFiles() {
        if (log != null) log.close();
        if (seen != null) seen.close();
        if (spill != null) spill.close();
    }

    private Result explore(long t0, ExecutorService pool) {
        long deadline = sc.timeLimitMillis > 0 ? System.currentTimeMillis() + sc.timeLimitMillis : Long.MAX_VALUE;
        Runtime rt = Runtime.getRuntime();
        // --fp-memory: one table of that size, never grown; else one that doubles from small.
        // Either way, a table that is full and may not grow moves its fingerprints to a sorted file
        // on disk and goes on (FpSet, TLC's DiskFPSet). A growing table may double while the copy
        // (old and new table at once, three times its size) fits in half the heap, so it stays
        // within the third of the heap that the budgets below assume.
        seen = sc.fpMemoryBytes > 0 ? new FpSet(sc.fpMemoryBytes / 8, true, true, 0)
                : new FpSet(Math.min(1 << 16, Math.max(1024, sc.maxStates)), false, true, rt.maxMemory() / 2);
        // Of the heap the table leaves (a fixed table takes its share at once; a growing one is
        // assumed to reach a third of the heap), the trace log keeps 1/8 in memory and writes the
        // rest to disk, and the queue spills its chunks to disk while it holds more than 1/8.
        long rest = Math.max(64L << 20, rt.maxMemory() - (sc.fpMemoryBytes > 0 ? seen.bytes() : rt.maxMemory() / 3));
        log = logMemoryEntries >= 0 ? new Spill.TraceLog(logMemoryEntries, 8) : new Spill.TraceLog(rest / 8 / 12);
        queueLimit = queueBudget >= 0 ? queueBudget : rest / 8;
        State.Enc enc = new State.Enc();
        encodeKey(m.initial(), enc, new State.Enc());
        long fp0 = FpSet.of(enc.buf, 0, enc.n);
        seen.add(fp0);
        log.add(-1, fp0);
        size = 1;
        Chunk open = new Chunk(0);
        open.add(enc.buf, 0, enc.n, 0);
        queueBytes = open.data.length;

        ConcurrentLinkedQueue<Worker> idle = new ConcurrentLinkedQueue<>();
        Worker self = new Worker(m);
        ArrayDeque<Chunk> ready = new ArrayDeque<>();
        ArrayDeque<Future<Expanded>> inflight = new ArrayDeque<>();
        int window = 4 * workers;
        long id = 0;
        boolean stop = false;
        try {
            while (!stop) {
                while (pool != null && inflight.size() < window && !ready.isEmpty()) {
                    Chunk c = unspill(ready.poll());
                    inflight.add(pool.submit(() -> {
                        Worker w = idle.poll();
                        if (w == null) w = new Worker(new Machine(sc, pert));
                        try { return expand(c, w); } finally { idle.add(w); }
                    }));
                }
                Expanded x;
                if (pool == null) {
                    if (ready.isEmpty()) {
                        if (open.count == 0) break;
                        ready.add(open);
                        open = new Chunk(size);
                    }
                    x = expand(unspill(ready.poll()), self);
                } else {
                    if (inflight.isEmpty()) {
                        if (open.count == 0) break;
                        ready.add(open);
                        open = new Chunk(size);
                        continue;
                    }
                    x = get(inflight.poll());
                    if (x == null) { bound = "interrupted (Ctrl-C) after " + size + " states, depth " + maxDepth; break; }
                }
                Chunk c = x.chunk;
                int sideAt = 0;
                for (int i = 0; i < c.count; i++, id++) {
                    if (size > sc.maxStates) { bound = "state bound " + sc.maxStates + " reached (raise --max-states)"; stop = true; break; }
                    if ((id & 1023) == 0) {
                        if (System.currentTimeMillis() > deadline) { bound = "time limit " + sc.timeLimitMillis / 1000 + "s reached (raise --time-limit)"; stop = true; break; }
                        if (Thread.currentThread().isInterrupted()) { bound = "interrupted (Ctrl-C) after " + size + " states, depth " + maxDepth; stop = true; break; }
                        long used = rt.totalMemory() - rt.freeMemory();
                        // A fixed --fp-memory table can be most of the heap by design, so the bound is
                        // the heap left after a collection (under 3 %), not a share of it used.
                        if (used > rt.maxMemory() * 0.97) {
                            System.gc();
                            used = rt.totalMemory() - rt.freeMemory();
                            if (rt.maxMemory() - used < rt.maxMemory() * 0.03) { bound = "memory bound reached (" + (used >> 20) + " MiB of " + (rt.maxMemory() >> 20) + " MiB heap)"; stop = true; break; }
                        }
                    }
                    if (x.depthCut[i]) { bound = "depth bound " + sc.maxDepth + " reached"; continue; }
                    if (x.stuck[i] != null && !firstViolation.containsKey(Property.DEADLOCK)) {
                        firstViolation.put(Property.DEADLOCK, id);
                        violationStep.put(Property.DEADLOCK, new Machine.Transition(null, null, Property.DEADLOCK, x.stuck[i], null, -1));
                    }
                    boolean bad = live && x.badMask[i] != 0;
                    if (bad) addBadNode(id, log.fp(id), x.badMask[i], x.timerOff[i], x.outClasses[i]);
                    int d = c.depth[i];
                    for (int k = x.succStart[i]; k < x.succStart[i + 1]; k++) {
                        transitions++;
                        if (x.kind[k] == 2) { String b = (String) x.side.get(sideAt++); if (bound == null) bound = b; continue; }
                        if (x.kind[k] == 1) {
                            Machine.Transition tr = (Machine.Transition) x.side.get(sideAt++);
                            if (!firstViolation.containsKey(tr.violated())) { firstViolation.put(tr.violated(), id); violationStep.put(tr.violated(), tr); }
                            continue;
                        }
                        long fp = x.fp[k];
                        boolean fresh;
                        try {
                            fresh = seen.add(fp);
                        } catch (java.io.UncheckedIOException e) {
                            // No room on disk for the fingerprint file: the search stops where it is.
                            bound = "fingerprint file: " + e.getMessage() + " (" + e.getCause().getMessage() + ")"; stop = true; break;
                        }
                        if (fresh) {
                            log.add(id, fp);
                            size++;
                            if (d + 1 > maxDepth) maxDepth = d + 1;
                            int before = open.data.length;
                            open.add(x.enc, x.encOff[k], x.encOff[k + 1] - x.encOff[k], d + 1);
                            queueBytes += open.data.length - before;
                            if (open.full()) { ready.add(spillIfLong(open)); open = new Chunk(size); queueBytes += open.data.length; }
                        }
                        if (bad) addBadEdge(fp, x.fair[k]);
                    }
                    if (bad) badEdgeStart[nBad] = nBadEdges;
                    if (stop) break;
                }
                if (queueBytes > peakQueueBytes) peakQueueBytes = queueBytes;
                queueBytes -= c.data.length;
                c.data = null;
                x.chunk = null;
                spare.add(x);
            }
        } finally {
            for (Future<Expanded> f : inflight) f.cancel(true);
        }
        boolean complete = bound == null;

        Map<Property, Result.PropertyResult> props = Explorer.judge(sc, firstViolation.keySet(), complete, this::safetyTrace, p -> { resolveBadEdges(); return liveness(p); });
        String verdict = Explorer.verdict(props, complete);
        double secs = (System.nanoTime() - t0) / 1e9;
        long memory = seen.bytes() + log.memoryBytes() + peakQueueBytes + liveBytes();
        long disk = log.diskBytes() + (spill == null ? 0 : spill.peakDiskBytes()) + seen.diskBytes();
        String detail = String.format("table %s, trace log %s, queue peak %s, starvation subgraph %s%s", mib(seen.bytes()), mib(log.memoryBytes()),
                mib(peakQueueBytes), mib(liveBytes()), disk == 0 ? "" : "; on disk: trace log " + mib(log.diskBytes()) + ", queue peak " + mib(spill == null ? 0 : spill.peakDiskBytes())
                        + (seen.flushes() == 0 ? "" : ", fingerprints " + mib(seen.diskBytes()) + " (the table moved to disk " + seen.flushes() + " times)"));
        Result.Stats stats = new Result.Stats(size, transitions, maxDepth, secs, secs > 0 ? size / secs : 0, Explorer.peakHeap(),
                FpSet.collisionProbability(size, transitions), memory, disk, workers, detail);
        return new Result(sc, "java", verdict, props, stats, bound);
    }

    /** A worker's result; null when this thread is interrupted while it waits (Ctrl-C: the run ends incomplete). */
    private static String mib(long b) { return String.format("%.1f MiB", b / 1048576.0); }

    /** A full chunk joins the queue; while the queue's memory is over its budget, its bytes go to disk. */
    private Chunk spillIfLong(Chunk c) {
        if (queueBytes <= queueLimit) return c;
        if (spill == null) spill = new Spill.Queue();
        spill.put(c.serialize());
        queueBytes -= c.data.length;
        c.data = null;
        c.spilled = true;
        return c;
    }

    private Chunk unspill(Chunk c) {
        if (c.spilled) { c.restore(spill.take()); queueBytes += c.data.length; }
        return c;
    }

    private static Expanded get(Future<Expanded> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) throw r;
            if (c instanceof Error r) throw r;
            throw new IllegalStateException(c);
        }
    }

    private long liveBytes() {
        return (long) badGlobal.length * (8 * 3 + 4 * 3) + (long) badEdgeFp.length * 9 + (edgeTo == null ? 0 : (long) edgeTo.length * 5);
    }

    // ------------------------------------------------------------------ traces

    /** Ids from the initial state to id. */
    private long[] pathTo(long id) {
        int n = 0;
        for (long x = id; x >= 0; x = log.parent(x)) n++;
        long[] p = new long[n];
        for (long x = id; x >= 0; x = log.parent(x)) p[--n] = x;
        return p;
    }

    /** The successor of s with fingerprint fp (the first, in the successor function's order). */
    private State successorWithFp(State s, long fp) {
        State[] found = new State[1];
        State.Enc e = new State.Enc(), tmp = new State.Enc();
        m.successors(s, tr -> {
            if (found[0] != null || tr.next() == null) return;
            encodeKey(tr.next(), e, tmp);
            if (FpSet.of(e.buf, 0, e.n) == fp) found[0] = tr.next();
        });
        if (found[0] == null) throw new IllegalStateException("trace rebuild: no successor with fingerprint " + Long.toHexString(fp));
        return found[0];
    }

    /** The states along ids (each a successor of the one before), rebuilt from the first. */
    private List<State> rebuild(State first, long[] fps, int from) {
        List<State> out = new ArrayList<>();
        State s = first;
        out.add(s);
        for (int i = from; i < fps.length; i++) { s = successorWithFp(s, fps[i]); out.add(s); }
        return out;
    }

    private List<State> statesAlong(long[] ids) {
        long[] fps = new long[ids.length];
        for (int i = 0; i < ids.length; i++) fps[i] = log.fp(ids[i]);
        return rebuild(m.initial(), fps, 1);
    }

    private Trace.Step stepBetween(State a, State b, int index) {
        Trace.Step s = Replay.step(m, a, b.encode(), index);
        if (s == null) throw new IllegalStateException("trace step not reproducible");
        return s;
    }

    private Trace safetyTrace(Property p) {
        long last = firstViolation.get(p);
        List<State> path = statesAlong(pathTo(last));
        traceStates.put(p, path);
        // Under symmetry the stored violation's label and why may name other threads and CPUs than
        // the rebuilt path's last state (it is one of its images): take them from that state.
        if (sym != null) return Explorer.symmetricSteps(m, p, path, violationStep.get(p).label() != null);
        List<Trace.Step> steps = new ArrayList<>();
        for (int i = 0; i + 1 < path.size(); i++) steps.add(stepBetween(path.get(i), path.get(i + 1), steps.size() + 1));
        Machine.Transition v = violationStep.get(p);
        if (v.label() != null) steps.add(TraceText.step(m, v.label(), path.get(path.size() - 1), null, steps.size() + 1, true));
        return new Trace(steps, -1, p.name(), v.why());
    }

    // ------------------------------------------------------------------ liveness

    /** Bit k of the mask: the starvation condition of subject k holds (RESCHED: cpu k; SIGNAL: thread k - nCpu). */
    private long badMask(Machine mm, State s) {
        long mask = 0;
        if (sc.checks(Property.RESCHED_STARVATION))
            for (int c = 0; c < m.nCpu; c++) if (Explorer.starving(mm, Property.RESCHED_STARVATION, c, s)) mask |= 1L << c;
        if (sc.checks(Property.SIGNAL_STARVATION))
            for (int t = 0; t < m.nThr; t++) if (!mm.isIdle(t) && Explorer.starving(mm, Property.SIGNAL_STARVATION, t, s)) mask |= 1L << (m.nCpu + t);
        return mask;
    }

    private int timerOff(Machine mm, State s) {
        int off = 0;
        for (int c = 0; c < m.nCpu; c++) if (!mm.timerEnabled(s, c)) off |= 1 << c;
        return off;
    }

    private void addBadNode(long id, long fp, long mask, int timerOff, int out) {
        if (nBad + 1 >= badGlobal.length) {
            int cap = badGlobal.length * 2;
            badGlobal = Arrays.copyOf(badGlobal, cap); badFp = Arrays.copyOf(badFp, cap); badMask = Arrays.copyOf(badMask, cap);
            badTimerOff = Arrays.copyOf(badTimerOff, cap); badOut = Arrays.copyOf(badOut, cap); badEdgeStart = Arrays.copyOf(badEdgeStart, cap + 1);
        }
        badGlobal[nBad] = id; badFp[nBad] = fp; badMask[nBad] = mask; badTimerOff[nBad] = timerOff; badOut[nBad] = out;
        badEdgeStart[nBad] = nBadEdges;
        nBad++;
    }

    private void addBadEdge(long fp, int fair) {
        if (nBadEdges == badEdgeFp.length) {
            badEdgeFp = Arrays.copyOf(badEdgeFp, nBadEdges * 2);
            badEdgeFair = Arrays.copyOf(badEdgeFair, nBadEdges * 2);
        }
        badEdgeFp[nBadEdges] = fp;
        badEdgeFair[nBadEdges] = (byte) fair;
        nBadEdges++;
    }

    /** Edges between starving states, by local id; edges to other states are dropped (never inside a starving SCC). */
    private void resolveBadEdges() {
        if (edgeStart != null) return;
        badEdgeStart[nBad] = nBadEdges;
        // fingerprint -> local id, open addressing over longs (no boxed map: there may be millions)
        int cap = Integer.highestOneBit(Math.max(16, nBad * 2 - 1)) << 1, mask = cap - 1;
        long[] keys = new long[cap];
        int[] vals = new int[cap];
        for (int i = 0; i < nBad; i++) {
            int h = (int) (badFp[i] ^ (badFp[i] >>> 32)) & mask;
            while (keys[h] != 0) h = (h + 1) & mask;
            keys[h] = badFp[i];
            vals[h] = i;
        }
        edgeStart = new int[nBad + 1];
        int[] to = new int[nBadEdges];
        byte[] fair = new byte[nBadEdges];
        int n = 0;
        for (int v = 0; v < nBad; v++) {
            edgeStart[v] = n;
            for (int e = badEdgeStart[v]; e < badEdgeStart[v + 1]; e++) {
                long f = badEdgeFp[e];
                int h = (int) (f ^ (f >>> 32)) & mask;
                while (keys[h] != 0 && keys[h] != f) h = (h + 1) & mask;
                if (keys[h] == 0) continue;   // not a starving state
                to[n] = vals[h];
                fair[n] = badEdgeFair[e];
                n++;
            }
        }
        edgeStart[nBad] = n;
        edgeTo = Arrays.copyOf(to, n);
        edgeFair = Arrays.copyOf(fair, n);
        badEdgeFp = new long[0];
        badEdgeFair = new byte[0];
    }

    private Trace liveness(Property p) {
        int subjects = p == Property.RESCHED_STARVATION ? m.nCpu : m.nThr;
        for (int subj = 0; subj < subjects; subj++) {
            if (p == Property.SIGNAL_STARVATION && m.isIdle(subj)) continue;
            long bit = 1L << (p == Property.RESCHED_STARVATION ? subj : m.nCpu + subj);
            boolean[] in = new boolean[nBad];
            boolean anyBad = false;
            for (int i = 0; i < nBad; i++) { in[i] = (badMask[i] & bit) != 0; anyBad |= in[i]; }
            if (!anyBad) continue;
            int[][] lasso = new FairGraph(edgeStart, edgeTo, edgeFair, badOut, badTimerOff, m.nCpu).fairLasso(in, nBad);
            if (lasso != null) return lassoTrace(p, subj, lasso[0][0], lasso[1]);
        }
        return null;
    }

    private Trace lassoTrace(Property p, int subj, int entry, int[] loop) {
        List<State> prefix = statesAlong(pathTo(badGlobal[entry]));
        long[] fps = new long[loop.length];
        for (int i = 0; i < loop.length; i++) fps[i] = badFp[loop[i]];
        List<State> loopStates = rebuild(prefix.get(prefix.size() - 1), fps, 1);
        List<State> all = new ArrayList<>(prefix);
        all.addAll(loopStates.subList(1, loopStates.size()));
        traceStates.put(p, all);
        List<Trace.Step> steps = new ArrayList<>();
        for (int i = 0; i + 1 < prefix.size(); i++) steps.add(stepBetween(prefix.get(i), prefix.get(i + 1), steps.size() + 1));
        int loopStart = steps.size() + 1;
        for (int i = 0; i + 1 < loopStates.size(); i++) steps.add(stepBetween(loopStates.get(i), loopStates.get(i + 1), steps.size() + 1));
        return new Trace(steps, loopStart, p.name(), Explorer.starvationWhy(m, p, subj, loopStart, steps.size()));
    }
}
