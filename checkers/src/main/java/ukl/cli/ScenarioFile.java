package ukl.cli;

import ukl.model.InputError;
import ukl.model.Property;
import ukl.model.Result;
import ukl.model.Scenario;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scenario files ({@code specs/scenarios/*.scenario}): {@code key: value} lines naming the preset
 * or path file, options, workload and bounds, and the expected status of each property, the way
 * Linux's memory-model litmus tests carry their expected {@code Result:}.
 */
final class ScenarioFile {
    private ScenarioFile() {}

    /** The parsed file: a builder ready to build, plus the expectation for properties not listed. */
    record Parsed(Scenario.Builder builder, Result.Status defaultExpect, String description) {}

    static Parsed read(String file) {
        Path p = Path.of(file);
        String text = ukl.model.TextFiles.readUtf8(file);
        return parse(file, text, p.toAbsolutePath().getParent());
    }

    static Parsed parse(String file, String text, Path dir) {
        Scenario.Builder b = Scenario.builder();
        b.origin = file;
        Result.Status def = null;
        StringBuilder desc = new StringBuilder();
        String[] lines = text.split("\r?\n", -1);
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String raw = stripComment(lines[i]);
            String line = raw.strip();
            if (line.startsWith("#")) {
                if (seen.isEmpty()) desc.append(line.substring(1).strip()).append(' ');
                continue;
            }
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            int indent = raw.indexOf(line.charAt(0));
            if (colon <= 0) throw new InputError(file, no, indent + 1, "expected 'key: value'");
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            int vcol = raw.indexOf(value.isEmpty() ? ":" : value, indent + colon) + 1;
            if (!key.equals("expect") && !key.equals("option") && !key.equals("ist") && seen.containsKey(key))
                throw new InputError(file, no, indent + 1, "'" + key + "' given twice (first at line " + seen.get(key) + ")");
            seen.putIfAbsent(key, no);
            if (value.isEmpty()) throw new InputError(file, no, vcol, "expected a value after '" + key + ":'");
            b.origin = file + ":" + no + ":" + vcol;
            b.keyOrigin.put(key, b.origin);
            try {
                switch (key) {
                    case "preset" -> b.preset = value;
                    case "paths" -> {
                        Path pf = dir == null ? Path.of(value) : dir.resolve(value);
                        b.pathsFile = pf.normalize().toString();
                        if (!Files.exists(pf)) throw new InputError(file, no, vcol, "path file '" + value + "' not found (looked in " + pf.normalize() + ")");
                    }
                    case "workload" -> b.workload = value;
                    case "options", "option" -> { for (String o : value.split(",")) if (!o.isBlank()) b.optionSpec(o.strip()); }
                    case "preempt" -> b.optionSpec("PREEMPT=" + value);
                    case "bypass-limit" -> b.bypassLimit = positive(file, no, vcol, value);
                    case "ist" -> { for (String s : value.split(",")) b.istSpec(s.strip()); }
                    case "cpus" -> b.cpus = positive(file, no, vcol, value);
                    case "threads" -> b.threads = positive(file, no, vcol, value);
                    case "co-runner" -> {
                        if (!value.equals("user") && !value.equals("none")) throw new InputError(file, no, vcol, "co-runner is 'user' or 'none', not '" + value + "'");
                        b.coRunner = value.equals("user");
                    }
                    case "events" -> b.eventsSpec(value);
                    case "max-states" -> b.maxStates = positive(file, no, vcol, value);
                    case "max-nesting" -> b.maxNesting = positive(file, no, vcol, value);
                    case "time-limit" -> b.timeLimitSeconds = positive(file, no, vcol, value);
                    case "name" -> b.name = value;
                    case "symmetry" -> {
                        if (!value.equals("on") && !value.equals("off")) throw new InputError(file, no, vcol, "symmetry is 'on' or 'off', not '" + value + "'");
                        b.symmetry = value.equals("on");
                    }
                    case "expect" -> {
                        String[] parts = value.split("\\s+");
                        if (parts.length != 2) throw new InputError(file, no, vcol, "expected 'expect: PROPERTY STATUS' (STATUS: holds, violated, unknown, not-checked)");
                        Result.Status st = Result.Status.byWord(parts[1]);
                        if (st == null) throw new InputError(file, no, raw.indexOf(parts[1], vcol - 1) + 1, "unknown status '" + parts[1] + "'; expected holds, violated, unknown or not-checked");
                        if (parts[0].equals("*")) { def = st; break; }
                        Property prop = Property.byName(parts[0]);
                        if (prop == null) throw new InputError(file, no, vcol, "unknown property '" + parts[0] + "'");
                        if (b.expected.containsKey(prop)) throw new InputError(file, no, vcol, "expectation for " + prop + " given twice");
                        b.expected.put(prop, st.word);
                    }
                    default -> throw new InputError(file, no, indent + 1, "unknown key '" + key + "'; expected preset, paths, workload, options, preempt, bypass-limit, ist, cpus, threads, co-runner, events, max-states, max-nesting, time-limit, symmetry, name or expect");
                }
            } catch (InputError e) {
                if (e.line() > 0) throw e;
                throw new InputError(file, no, vcol, e.getMessage());
            }
        }
        b.origin = file;
        if (b.preset == null && b.pathsFile == null) throw new InputError(file, 1, 1, "a scenario names 'preset:' or 'paths:'");
        if (b.expected.isEmpty() && def == null) throw new InputError(file, 1, 1, "a scenario states at least one 'expect:' line");
        if (b.name == null) b.name = Path.of(file).getFileName().toString().replaceAll("\\.scenario$", "");
        return new Parsed(b, def, desc.toString().strip());
    }

    /**
     * Drops a trailing comment: ' #' (whitespace then '#') starts one, as in the README's
     * example; a line whose first non-blank character is '#' is a whole-line comment and is kept
     * for the description.
     */
    static String stripComment(String raw) {
        if (raw.strip().startsWith("#")) return raw;
        for (int k = 1; k < raw.length(); k++)
            if (raw.charAt(k) == '#' && Character.isWhitespace(raw.charAt(k - 1))) return raw.substring(0, k).stripTrailing();
        return raw;
    }

    private static int positive(String file, int no, int col, String v) {
        try { int n = Integer.parseInt(v); if (n > 0) return n; } catch (NumberFormatException ignored) { }
        throw new InputError(file, no, col, "expected a positive number (at most " + Integer.MAX_VALUE + "), not '" + v + "'");
    }
}
