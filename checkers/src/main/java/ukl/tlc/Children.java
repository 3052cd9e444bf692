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

    private static synchronized void hook() {
        if (hooked) return;
        hooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            int n = running(), d = TEMP.size();
            cleanUp();
            if (n > 0 || d > 0) System.err.println("ukl: stopped before finishing; killed " + n + " TLC process(es), removed " + d + " temporary folder(s); no result");
        }, "ukl-cleanup"));
    }

    static Process start(ProcessBuilder pb) throws IOException {
        hook();
        Process p = pb.start();
        LIVE.add(p);
        return p;
    }

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
        LIVE.clear();
        List<Path> dirs = new ArrayList<>(TEMP);
        for (Path d : dirs) {
            try { TlcEngine.deleteTree(d); } catch (RuntimeException e) { System.err.println("ukl: could not remove " + d + ": " + e.getMessage()); }
        }
    }
}
