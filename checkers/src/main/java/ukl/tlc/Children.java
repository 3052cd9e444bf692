package ukl.tlc;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every TLC child process and temporary work directory this JVM made, so that no exit leaves
 * them behind: SIGTERM and SIGINT run the JVM's shutdown hooks, and the hook here kills the
 * children (and their descendants) and removes the temporary directories. A run that ends
 * normally unregisters each as it goes. (SIGKILL of the JVM itself runs no hook; nothing can.)
 */
public final class Children {
    private Children() {}

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final Set<Path> TEMP = ConcurrentHashMap.newKeySet();
    private static volatile boolean hooked;
    /** Set when the SIGTERM hook starts: no new TLC child may start after it (the JVM is going). */
    private static volatile boolean closing;
    /** Counted down by {@link #commandDone()} so the hook can wait for the command's own cleanup. */
    private static final java.util.concurrent.CountDownLatch COMMAND = new java.util.concurrent.CountDownLatch(1);

    private static synchronized void hook() {
        if (hooked) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closing = true;
            int n = running(), d = TEMP.size();
            cleanUp();
            // Hooks run while the command's thread still runs: it sees its TLC child die and may
            // write tlc.out into a folder being removed. Give it a moment to finish its own
            // finally blocks (it reaches System.exit and blocks there), then remove what is left.
            try { COMMAND.await(2, java.util.concurrent.TimeUnit.SECONDS); } catch (InterruptedException ignored) { /* exiting anyway */ }
            cleanUp();
            if (n > 0 || d > 0) System.err.println("ukl: stopped before finishing; killed " + n + " TLC process(es), removed " + d + " temporary folder(s); no result");
        }, "ukl-cleanup"));
    }

    static Process start(ProcessBuilder pb) throws IOException {
        hook();
        if (closing) throw new IOException("the JVM is stopping (SIGTERM); no TLC started");
        Process p = pb.start();
        LIVE.add(p);
        if (closing) { p.destroyForcibly(); throw new IOException("the JVM is stopping (SIGTERM); TLC stopped"); }
        return p;
    }

    /** The command's thread has finished (its finally blocks ran); called just before System.exit. */
    public static void commandDone() { COMMAND.countDown(); }

    static void done(Process p) {
        if (p.isAlive()) { p.descendants().forEach(ProcessHandle::destroyForcibly); p.destroyForcibly(); }
        LIVE.remove(p);
    }

    static void tempDir(Path dir) { hook(); TEMP.add(dir); }

    static void removed(Path dir) { TEMP.remove(dir); }

    /** How many TLC children are running now (tests). */
    public static int running() { return (int) LIVE.stream().filter(Process::isAlive).count(); }

    /** Kills every child and removes every temporary directory; the shutdown hook runs this. */
    public static void cleanUp() {
        for (Process p : new ArrayList<>(LIVE)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : new ArrayList<>(LIVE)) {
            try { p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS); } catch (InterruptedException e) { break; }
        }
        LIVE.removeIf(p -> !p.isAlive());
        List<Path> dirs = new ArrayList<>(TEMP);
        for (Path d : dirs) {
            try { TlcEngine.deleteTree(d); } catch (RuntimeException e) { System.err.println("ukl: could not remove " + d + ": " + e.getMessage()); }
        }
    }
}
