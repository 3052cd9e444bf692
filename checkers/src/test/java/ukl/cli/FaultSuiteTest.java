package ukl.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;
import ukl.tlc.Children;
import ukl.tlc.TlcEngine;
import ukl.tlc.TlcRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fault suite (issue 11): kills TLC children, corrupts cache entries, truncates dumps, feeds
 * out-of-range numbers and binary files, and signals the CLI. Each fault asserts the exit code,
 * the message, and that no verdict, cache entry or file is wrong or left behind. One dynamic test
 * per fault, so the Surefire count is the number of faults tried (proofs-notes/results.md).
 */
class FaultSuiteTest {
    @TempDir static Path tmp;

    static CliTest.Run ukl(String... a) { return CliTest.run(a); }

    /** Bad input: exit 2, one line on stderr naming what is wrong, nothing on stdout, no stack trace. */
    static void bad(CliTest.Run r, String... must) {
        assertEquals(2, r.code(), r.err() + r.out());
        assertEquals("", r.out(), "nothing on stdout for bad input");
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        for (String s : must) assertTrue(r.err().contains(s), "expected '" + s + "' in: " + r.err());
    }

    static DynamicTest fault(String name, ThrowingRunnable body) { return DynamicTest.dynamicTest(name, body::run); }

    interface ThrowingRunnable { void run() throws Exception; }

    @TestFactory
    Stream<DynamicTest> faults() {
        List<DynamicTest> f = new ArrayList<>();

        // ---- 1. a killed TLC child never makes a property hold
        f.add(fault("kill -9 of the TLC child checking DOUBLE_FAULT_PANIC (its shortest-trace run)", () -> {
            Result r = tlcWithKill("DOUBLE_FAULT_PANIC", "KILL", 2);
            assertEquals(Result.Status.UNKNOWN, r.properties().get(Property.DOUBLE_FAULT_PANIC).status(), r.incompleteReason());
            assertNotEquals("ok", r.verdict());
            assertEquals(3, r.exitCode());
            assertTrue(r.incompleteReason().contains("killed by signal 9"), r.incompleteReason());
        }));
        f.add(fault("kill -TERM of the TLC child of the main run (every property)", () -> {
            Result r = tlcWithKill("main", "TERM", 1);
            assertEquals("incomplete", r.verdict(), r.incompleteReason());
            assertTrue(r.incompleteReason().contains("signal 15"), r.incompleteReason());
            for (Result.PropertyResult p : r.properties().values())
                assertNotEquals(Result.Status.HOLDS, p.status(), p.property() + " must not hold from a killed run");
        }));
        f.add(fault("matrix --engine tlc with every TLC child killed caches nothing", () -> {
            Path cache = tmp.resolve("tlc-cache");
            AtomicBoolean stop = new AtomicBoolean();
            Thread killer = new Thread(() -> {
                while (!stop.get()) {
                    ProcessHandle.current().descendants()
                            .filter(ph -> ph.info().commandLine().map(c -> c.contains("tlc2.TLC")).orElse(false))
                            .forEach(ProcessHandle::destroyForcibly);
                    try { Thread.sleep(10); } catch (InterruptedException e) { return; }
                }
            });
            killer.start();
            CliTest.Run r;
            try {
                r = ukl("matrix", "--engine", "tlc", "--presets", "ukl-paper", "--options", "NSS", "--workloads", "stack-grow",
                        "--cache", cache.toString(), "--jobs", "1");
            } finally {
                stop.set(true);
                killer.join();
            }
            assertEquals(3, r.code(), r.out() + r.err());
            assertFalse(r.out().contains("| safe"), "no cell is safe: " + r.out());
            try (var l = Files.list(cache)) {
                assertEquals(0, l.filter(p -> p.toString().endsWith(".cell")).count(), "nothing cached");
            } catch (java.nio.file.NoSuchFileException e) {
                // no cache folder at all: nothing cached either
            }
        }));
        f.add(fault("TLC exit codes that do not match its output", () -> {
            for (int code : new int[]{137, 143, 1, 75, 255})
                assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(code, "Starting...\n", 1, null), "exit " + code);
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(0, "Computing initial states...\n", 1, null), "exit 0 without completion");
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(12, "Model checking completed.\n", 1, null), "exit 12 without an invariant");
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(13, "x\n", 1, null), "exit 13 without a temporal violation");
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(12, "Error: Invariant FooInv is violated.\n", 1, null), "no trace");
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.parse(0, "Exception in thread main java.lang.OutOfMemoryError\n", 1, null));
            TlcRunner.Run ok = TlcRunner.parse(0, "Model checking completed. No error has been found.\n5 states generated, 3 distinct states found, 0 states left on queue.\n", 1, null);
            assertTrue(ok.complete());
        }));
        f.add(fault("a truncated or corrupt TLC state dump", () -> {
            Path d = tmp.resolve("states.dump");
            Files.writeString(d, "State 1:\n/\\ err = \"none\"\n/\\ cpu = [ifl |-> <<TRUE");
            TlcRunner.TlcFailure e = assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.readDump(d));
            assertTrue(e.getMessage().contains("unreadable"), e.getMessage());
            assertThrows(TlcRunner.TlcFailure.class, () -> TlcRunner.readDump(tmp.resolve("missing.dump")));
        }));

        // ---- 2. a path file is validated as a whole program before a state is explored
        f.add(fault("a path file without shortcut_exit", () -> {
            Path p = tmp.resolve("noexit.ukl");
            Files.writeString(p, "extends ukl-paper\npath shortcut_enter:\n    panic\n");
            // ukl-paper's own shortcut_exit is inherited here: valid. A complete file without one is not.
            assertEquals(1, ukl("check", "--paths", p.toString(), "--workload", "shortcut-wrapped").code());
            String shown = ukl("show", "ukl-paper").out();
            String cut = shown.substring(0, shown.indexOf("path shortcut_exit:"));
            Files.writeString(p, cut);
            bad(ukl("check", "--paths", p.toString(), "--workload", "shortcut-wrapped"), "noexit.ukl:1:1", "shortcut_exit");
        }));
        f.add(fault("mutual 'run' recursion", () -> {
            Path p = tmp.resolve("cycle.ukl");
            Files.writeString(p, "extends ukl-paper\npath shortcut_enter:\n    run shortcut_exit\npath shortcut_exit:\n    run shortcut_enter\n");
            bad(ukl("check", "--paths", p.toString(), "--workload", "shortcut-wrapped"), "cycle.ukl:5:", "recurses forever");
        }));

        // ---- 3. cross-check compares only complete runs under the same bounds
        f.add(fault("cross-check of a bounded run", () -> {
            CliTest.Run r = ukl("cross-check", "--preset", "ukl-paper", "--workload", "stack-grow", "--max-states", "10", "--time-limit", "1");
            assertEquals(3, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("INCOMPLETE: not compared"), r.out());
            assertFalse(r.out().contains("agree on every property") || r.out().contains("DISAGREE"), r.out());
            bad(ukl("cross-check", "--preset", "ukl-paper", "--time-limit", "0"), "time-limit must be 1 to");
        }));

        // ---- 4. the matrix cache: a bad entry is recomputed with a warning, never served
        f.add(fault("matrix cache: flipped bits, a copied entry, truncation", this::cacheFaults));

        // ---- 5. signals
        f.add(fault("SIGTERM to 'ukl tlc' kills its TLC child and removes its folders", () -> signal("TERM", "tlc")));
        f.add(fault("SIGINT to 'ukl tlc' reports what it reached", () -> signal("INT", "tlc")));
        f.add(fault("SIGINT to 'ukl cross-check' says incomplete", () -> signal("INT", "cross-check")));
        f.add(fault("SIGINT to 'ukl check' prints the partial result", () -> signal("INT", "check")));

        // ---- 6 and 8. numbers and lists out of range: exit 2, positioned
        String[][] badArgs = {
                {"--events", "TIMER:2147483647", "event count for TIMER must be 0 to 1000"},
                {"--events", ",,,", "empty item"},
                {"--events", "TIMER:-1", "expected a number >= 0"},
                {"--time-limit", "0", "time-limit must be 1 to"},
                {"--time-limit", "-1", "time-limit must be 1 to"},
                {"--time-limit", "9223372036854775807", "time-limit must be 1 to"},
                {"--max-states", "0", "max-states must be 1 to"},
                {"--max-states", "-5", "max-states must be 1 to"},
                {"--cpus", "9", "--cpus: cpus must be 1 to 4"},
                {"--bypass-limit", "2147483647", "bypass-limit must be 1 to 1000"},
        };
        for (String[] a : badArgs)
            f.add(fault("check " + a[0] + " " + a[1], () -> bad(ukl("check", "--preset", "linux", a[0], a[1]), a[2])));
        for (String w : new String[]{"0", "-1", "65"})
            f.add(fault("cross-check --workers " + w, () -> bad(ukl("cross-check", "--preset", "linux", "--workers", w), "--workers")));
        f.add(fault("tlc --workers 0", () -> bad(ukl("tlc", "--preset", "linux", "--workers", "0"), "--workers")));
        f.add(fault("scenario file: events count out of range, positioned", () -> {
            Path s = tmp.resolve("big.scenario");
            Files.writeString(s, "preset: linux\nevents: TIMER:2147483647\nexpect: * holds\n");
            bad(ukl("check", "--scenario", s.toString()), "big.scenario:2:9:", "TIMER must be 0 to 1000");
            Files.writeString(s, "preset: linux\ncpus: 7\nexpect: * holds\n");
            bad(ukl("check", "--scenario", s.toString()), "big.scenario:2:7:", "cpus must be 1 to 4");
            Files.writeString(s, "preset: linux\nmax-nesting: 99\nexpect: * holds\n");
            bad(ukl("check", "--scenario", s.toString()), "big.scenario:2:14:", "max-nesting must be 2 to 30");
            Files.writeString(s, "preset: linux\nsymmetry: yes\nexpect: * holds\n");
            bad(ukl("check", "--scenario", s.toString()), "big.scenario:2:11:", "symmetry is 'on' or 'off'");
        }));
        f.add(fault("tlc --symmetry: TLC explores in full", () -> bad(ukl("tlc", "--preset", "linux", "--symmetry"), "--symmetry", "use it with check or cross-check")));

        // ---- binary and invalid UTF-8 files
        f.add(fault("a binary path file", () -> {
            Path p = tmp.resolve("bin.ukl");
            Files.write(p, new byte[]{'e', 'x', '\n', (byte) 0xC3, (byte) 0x28, 0, 1, 2});
            bad(ukl("check", "--paths", p.toString()), "bin.ukl:2:1:", "not UTF-8 text");
        }));
        f.add(fault("a binary scenario file", () -> {
            Path p = tmp.resolve("bin.scenario");
            Files.write(p, new byte[]{'p', 'r', 'e', (byte) 0xFF, (byte) 0xFE});
            bad(ukl("check", "--scenario", p.toString()), "bin.scenario:1:4:", "not UTF-8 text");
        }));

        // ---- 7. out of memory is incomplete, exit 3
        f.add(fault("out of memory in check", () -> {
            Sub s = sub(List.of("-Xmx16m"), "check", "--preset", "ukl-paper", "--workload", "compute", "--threads", "4", "--cpus", "4", "--co-runner", "user");
            assertTrue(s.p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(3, s.p.exitValue(), s.out() + s.err());
            assertTrue((s.out() + s.err()).contains("out of memory") || (s.out() + s.err()).contains("memory bound"), s.out() + s.err());
        }));

        // ---- 8. smaller contract breaks
        f.add(fault("a --scenario run that hits a bound exits 3", () -> {
            Path s = tmp.resolve("bounded.scenario");
            Files.writeString(s, "preset: linux\nworkload: compute\nmax-states: 10\nexpect: * unknown\n");
            CliTest.Run r = ukl("check", "--scenario", s.toString());
            assertEquals(3, r.code(), r.out());
            assertTrue(r.out().contains("INCOMPLETE"), r.out());
        }));
        f.add(fault("trailing comments in a scenario file", () -> {
            Path s = tmp.resolve("comments.scenario");
            Files.writeString(s, "# linux getppid\npreset: linux        # stock Linux\nworkload: getppid  # the simplest\nexpect: * holds     # all of them\n");
            CliTest.Run r = ukl("check", "--scenario", s.toString());
            assertEquals(0, r.code(), r.out() + r.err());
        }));
        f.add(fault("--out on a symbolic link writes its target", () -> {
            Path target = tmp.resolve("report.txt"), link = tmp.resolve("link.txt");
            Files.writeString(target, "old");
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target.getFileName());
            assertEquals(0, ukl("check", "--preset", "linux", "--workload", "getppid", "--out", link.toString()).code());
            assertTrue(Files.isSymbolicLink(link), "the link stays a link");
            assertTrue(Files.readString(target).contains("verdict: ok"));
        }));
        f.add(fault("a usage error is one line", () -> bad(ukl("check", "--no-such-flag"), "--no-such-flag", "--help")));
        return f.stream();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Runs TLC on ukl-paper + stack-grow (DOUBLE_FAULT_PANIC violated) and kills, with the given
     * signal, the first TLC child whose work folder is {@code job} ("main" or a property name).
     */
    private static Result tlcWithKill(String job, String signal, int workers) throws Exception {
        Scenario sc = Scenario.builder().preset("ukl-paper").workload("stack-grow").build();
        Path work = Files.createTempDirectory(tmp, "kill-");
        AtomicBoolean killed = new AtomicBoolean();
        String marker = work.resolve(job).resolve("meta").toString();
        Thread killer = new Thread(() -> {
            long end = System.currentTimeMillis() + 120_000;
            while (!killed.get() && System.currentTimeMillis() < end) {
                Optional<ProcessHandle> h = ProcessHandle.current().descendants()
                        .filter(ph -> ph.info().commandLine().map(c -> c.contains(marker)).orElse(false)).findFirst();
                if (h.isPresent()) {
                    try {
                        new ProcessBuilder("kill", "-" + signal, String.valueOf(h.get().pid())).start().waitFor();
                    } catch (IOException | InterruptedException e) { return; }
                    killed.set(true);
                    return;
                }
                try { Thread.sleep(20); } catch (InterruptedException e) { return; }
            }
        });
        killer.start();
        Result r = new TlcEngine(sc, work, workers, 300).check();
        killer.join();
        assertTrue(killed.get(), "the " + job + " child was found and killed");
        assertEquals(0, Children.running(), "no TLC child left running");
        return r;
    }

    private void cacheFaults() throws Exception {
        Path cache = tmp.resolve("cache");
        String[] args = {"matrix", "--presets", "ukl-paper", "--options", "NSS", "--workloads", "getppid,stack-grow", "--cache", cache.toString(), "--jobs", "1"};
        CliTest.Run first = ukl(args);
        assertEquals(1, first.code(), first.err());
        List<Path> cells;
        try (var s = Files.list(cache)) { cells = s.filter(p -> p.toString().endsWith(".cell")).sorted().toList(); }
        assertEquals(4, cells.size());
        Predicate<CliTest.Run> same = r -> strip(r.out()).equals(strip(first.out())) && r.code() == first.code();
        int[] offsets = {0, 10, 30, 80, 120, -1, -40};
        for (int off : offsets) {
            Path c = cells.get(0);
            byte[] b = Files.readAllBytes(c);
            int at = off >= 0 ? off : b.length + off;
            b[at] ^= 0x10;
            Files.write(c, b);
            CliTest.Run r = ukl(args);
            assertTrue(same.test(r), "flipped byte " + at + ": same matrix, exit " + r.code() + "\n" + r.out() + r.err());
            assertTrue(r.err().contains("matrix cache entry") && r.err().contains("checking the cell again"), "a warning: " + r.err());
            assertFalse(ukl(args).err().contains("matrix cache entry"), "the entry was rewritten");
        }
        // One cell's file copied over another's: the key in the header does not match.
        Files.copy(cells.get(0), cells.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CliTest.Run r = ukl(args);
        assertTrue(same.test(r), r.out() + r.err());
        assertTrue(r.err().contains("a cell for another scenario"), r.err());
        // Truncated, and emptied.
        Files.write(cells.get(2), java.util.Arrays.copyOf(Files.readAllBytes(cells.get(2)), 50));
        Files.write(cells.get(3), new byte[0]);
        r = ukl(args);
        assertTrue(same.test(r), r.out() + r.err());
        assertEquals(2, r.err().lines().filter(l -> l.contains("matrix cache entry")).count(), r.err());
    }

    private static String strip(String s) { return s.lines().filter(l -> !l.contains(" cells: ") && !l.contains(" s ")).reduce("", (a, b) -> a + b + "\n"); }

    record Sub(Process p, Path dir) {
        String out() throws IOException { return Files.readString(dir.resolve("out")); }
        String err() throws IOException { return Files.readString(dir.resolve("err")); }
    }

    /** The CLI in a JVM of its own, with its own java.io.tmpdir (where TLC folders would be left). */
    private static Sub sub(List<String> jvm, String... args) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "sub-");
        Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-Xss16m", "-Djava.io.tmpdir=" + dir.resolve("tmp"), "-cp", System.getProperty("java.class.path"), "ukl.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile()).redirectError(dir.resolve("err").toFile()).start();
        return new Sub(p, dir);
    }

    private static void signal(String sig, String command) throws Exception {
        String[] args = switch (command) {
            case "check" -> new String[]{"check", "--preset", "ukl-paper", "--workload", "compute", "--threads", "3", "--cpus", "2", "--co-runner", "user"};
            case "cross-check" -> new String[]{"cross-check", "--preset", "ukl-paper", "--workload", "compute", "--threads", "2"};
            default -> new String[]{"tlc", "--preset", "ukl-paper", "--workload", "compute", "--threads", "2"};
        };
        Sub s = sub(List.of(), args);
        try {
            long end = System.currentTimeMillis() + 60_000;
            // Wait until the work is under way: a TLC child for tlc/cross-check, a second for check.
            while (System.currentTimeMillis() < end) {
                boolean tlcUp = s.p.descendants().anyMatch(ph -> ph.info().commandLine().map(c -> c.contains("tlc2.TLC")).orElse(false));
                if (command.equals("check") ? System.currentTimeMillis() > end - 58_000 : tlcUp) break;
                Thread.sleep(50);
            }
            List<ProcessHandle> kids = s.p.descendants().toList();
            assertEquals(0, new ProcessBuilder("kill", "-" + sig, String.valueOf(s.p.pid())).start().waitFor());
            assertTrue(s.p.waitFor(60, TimeUnit.SECONDS), "stops after SIG" + sig);
            Thread.sleep(300);
            for (ProcessHandle k : kids) assertFalse(k.isAlive(), "child " + k.pid() + " left running after SIG" + sig);
            try (var l = Files.list(s.dir.resolve("tmp"))) {
                List<Path> left = l.filter(p -> p.getFileName().toString().startsWith("ukl-tlc-")).toList();
                assertEquals(List.of(), left, "temporary TLC folders left behind");
            }
            String all = s.out() + s.err();
            if (sig.equals("TERM")) {
                assertEquals(143, s.p.exitValue(), all);
                assertTrue(s.err().contains("stopped before finishing"), all);
                assertFalse(s.out().contains("verdict: ok"), all);
            } else {
                assertEquals(3, s.p.exitValue(), all);
                assertTrue(s.out().contains("interrupted (Ctrl-C)") || s.out().contains("INCOMPLETE"), all);
                assertFalse(s.out().contains("verdict: ok") || s.out().contains("agree on every property"), all);
            }
        } finally {
            s.p.descendants().forEach(ProcessHandle::destroyForcibly);
            s.p.destroyForcibly();
        }
    }
}
