package ukl.cli;

import ukl.tlc.TlcRunner;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Shows TLC's progress while it runs: on a terminal one status line rewritten every second (the
 * elapsed time ticks; the counts are TLC's own, from its progress lines, which TLC 2.18 prints
 * once a minute, TLCGlobals.progressInterval, and at the end); elsewhere plain lines, one per
 * run start, TLC progress line and run end. On stderr, so reports on stdout stay clean.
 */
final class ProgressView implements TlcRunner.Listener {
    enum Mode { AUTO, BAR, LINES, NONE }

    /** Uninstalls the view; closing throws nothing. */
    interface Handle extends AutoCloseable { @Override void close(); }

    private final PrintWriter err;
    private final boolean bar;
    private final Thread ticker;
    private String job = "", state = "starting";
    private long started = System.nanoTime();
    private boolean dirty;

    private ProgressView(PrintWriter err, boolean bar) {
        this.err = err;
        this.bar = bar;
        if (bar) {
            ticker = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    synchronized (this) { if (dirty) draw(); }
                    try { Thread.sleep(1000); } catch (InterruptedException e) { return; }
                }
            }, "tlc-progress");
            ticker.setDaemon(true);
            ticker.start();
        } else {
            ticker = null;
        }
    }

    /** Installs the view for the command's TLC runs; NONE (and AUTO off a terminal with lines off) shows nothing. */
    static Handle install(Mode mode, PrintWriter err) {
        Mode m = mode == Mode.AUTO ? (System.console() != null ? Mode.BAR : Mode.LINES) : mode;
        if (m == Mode.NONE) return () -> {};
        ProgressView v = new ProgressView(err, m == Mode.BAR);
        TlcRunner.listener(v);
        return v::stop;
    }

    public synchronized void started(String job, String what) {
        this.job = job;
        violationsShown = 0;
        started = System.nanoTime();
        state = "started";
        if (bar) { dirty = true; draw(); }
        else { err.println("tlc [" + job + "] started: " + what); err.flush(); }
    }

    private int violationsShown;

    public synchronized void progress(String job, TlcRunner.Reached r) {
        List<String> parts = new ArrayList<>();
        if (r.distinct() >= 0) parts.add(String.format("%,d distinct states", r.distinct()));
        if (r.depth() >= 0) parts.add("depth " + r.depth());
        if (r.queue() >= 0) parts.add(String.format("%,d on the queue", r.queue()));
        if (r.distinctPerMinute() >= 0) parts.add(String.format("%,d distinct/min", r.distinctPerMinute()));
        if (!r.violations().isEmpty()) parts.add("violated so far: " + String.join(" ", r.violations()));
        state = parts.isEmpty() ? "running" : String.join(", ", parts);
        if (bar) { draw(); return; }
        // Plain lines: one per TLC progress line (they carry a rate) and per newly violated invariant.
        boolean newViolation = r.violations().size() > violationsShown;
        violationsShown = r.violations().size();
        if (r.distinctPerMinute() < 0 && !newViolation) return;
        err.println("tlc [" + job + "] " + clock((System.nanoTime() - started) / 1e9) + " " + state);
        err.flush();
    }

    public synchronized void finished(String job, String outcome, double seconds) {
        String line = "tlc [" + job + "] " + outcome + " in " + String.format("%.1f s", seconds) + (state.startsWith("started") ? "" : ": " + state);
        if (bar) { err.print("\r\033[K" + line + "\n"); dirty = false; }
        else err.println(line);
        err.flush();
        state = "started";
    }

    private void draw() {
        err.print("\r\033[Ktlc [" + job + "] " + clock((System.nanoTime() - started) / 1e9) + " " + state);
        err.flush();
    }

    private static String clock(double s) {
        long t = (long) s;
        return String.format("%d:%02d", t / 60, t % 60);
    }

    private void stop() {
        if (ticker != null) ticker.interrupt();
        TlcRunner.listener(null);
    }
}
