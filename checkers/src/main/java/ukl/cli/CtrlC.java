package ukl.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) for the long-running commands: instead of the JVM's default exit 130 with
 * nothing printed, the first Ctrl-C interrupts the command's thread; the explorer and the TLC
 * runner treat that as a bound, so the command prints what it reached and exits 3 (the matrix does
 * the same with its own handler). TLC children and temporary folders go in any case: the
 * runners' finally blocks, and the shutdown hook of {@link ukl.tlc.Children} for SIGTERM.
 */
final class CtrlC implements AutoCloseable {
    private final sun.misc.SignalHandler old;
    private final AtomicBoolean hit = new AtomicBoolean();

    private CtrlC(Thread target) {
        sun.misc.SignalHandler prev = null;
        try {
            prev = sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {
                if (hit.getAndSet(true)) Runtime.getRuntime().halt(130);   // a second Ctrl-C: stop now
                target.interrupt();
            });
        } catch (IllegalArgumentException e) {
            // No SIGINT here (or the JVM reserves it, as with -Xrs): Ctrl-C then ends the JVM as usual.
        }
        old = prev;
    }

    /** Routes Ctrl-C to the calling thread until closed. */
    static CtrlC interruptsThisThread() { return new CtrlC(Thread.currentThread()); }

    /** Whether Ctrl-C came; clears the thread's interrupt flag so the report can still be written. */
    boolean hit() {
        Thread.interrupted();
        return hit.get();
    }

    @Override public void close() {
        Thread.interrupted();
        if (old != null) sun.misc.Signal.handle(new sun.misc.Signal("INT"), old);
    }
}
