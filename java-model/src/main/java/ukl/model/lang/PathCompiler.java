package ukl.model.lang;

import ukl.model.InputError;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves {@code extends} and compiles each path to a flat program. {@code if option X:} is
 * decided here, like {@code #ifdef}: the machine never sees it.
 */
public final class PathCompiler {
    private PathCompiler() {}

    /** Loads a preset's text by name (resources); null when there is no such preset. */
    public interface PresetSource {
        Ast.PathFile load(String name);
    }

    public record Merged(Ast.PathFile file, String basePreset, Map<String, String> pathFile) {}

    /** Merges a file with the presets it extends: the child's paths replace the parent's. */
    public static Merged merge(Ast.PathFile f, PresetSource presets) {
        List<Ast.PathFile> chain = new ArrayList<>();
        Ast.PathFile cur = f;
        List<String> seen = new ArrayList<>();
        while (true) {
            chain.add(0, cur);
            if (cur.extendsPreset() == null) break;
            String parent = cur.extendsPreset();
            if (seen.contains(parent))
                throw new InputError(cur.source(), 1, 9, "'extends' forms a cycle: " + String.join(" -> ", seen) + " -> " + parent);
            seen.add(parent);
            Ast.PathFile p = presets.load(parent);
            if (p == null)
                throw new InputError(cur.source(), 1, 9, "unknown preset '" + parent + "'; expected one of " + String.join(", ", ukl.model.Presets.NAMES));
            cur = p;
        }
        Map<String, Ast.PathDef> paths = new LinkedHashMap<>();
        Map<String, String> from = new HashMap<>();
        Map<String, Ast.VectorDef> vectors = new LinkedHashMap<>();   // a child's declaration replaces its parent's
        for (Ast.PathFile pf : chain) {
            for (Ast.VectorDef v : pf.vectors()) vectors.put(v.name(), v);
            for (Ast.PathDef d : pf.paths()) { paths.put(d.name(), d); from.put(d.name(), pf.source()); }
            for (Ast.PatchDef pd : pf.patches()) {
                Ast.PathDef d = paths.get(pd.name());
                if (d == null)
                    throw new InputError(pf.source(), pd.line(), pd.col() + 6, "patch " + pd.name() + ": the program it extends has no path '" + pd.name() + "' to patch");
                paths.put(pd.name(), patch(d, from.get(pd.name()), pd, pf.source()));
            }
        }
        // The root of the chain is the preset whose code rules apply (e.g. which options exist).
        String root = chain.get(0).source();
        Ast.PathFile merged = new Ast.PathFile(f.source(), null, f.header(), List.copyOf(paths.values()), List.of(), List.copyOf(vectors.values()));
        return new Merged(merged, root, from);
    }

    // ---- patches (issue 14): edit an inherited path at a named op line instead of copying it

    /** Applies a patch to an inherited path; every statement keeps (or gets) the file it comes from. */
    static Ast.PathDef patch(Ast.PathDef d, String defFile, Ast.PatchDef pd, String patchFile) {
        List<Ast.Stmt> body = stamp(d.body(), defFile);
        for (Ast.Edit e : pd.edits()) {
            List<Ast.OpStmt> hits = new ArrayList<>();
            opLines(body, e.at().text(), hits);
            Ast.Selector at = e.at();
            if (hits.isEmpty()) {
                List<Ast.OpStmt> all = new ArrayList<>();
                opLines(body, null, all);
                List<String> texts = new ArrayList<>();
                for (Ast.OpStmt o : all) if (!texts.contains(o.text())) texts.add(o.text());
                throw new InputError(patchFile, at.line(), at.col(), "'" + at.text() + "' matches no op line of path " + pd.name()
                        + " as inherited; its op lines are: " + String.join(", ", texts));
            }
            if (at.occurrence() == 0 && hits.size() > 1) {
                List<String> where = new ArrayList<>();
                for (Ast.OpStmt o : hits) where.add(o.file() + ":" + o.line());
                throw new InputError(patchFile, at.line(), at.col(), "'" + at.text() + "' matches " + hits.size() + " op lines of path " + pd.name()
                        + " (" + String.join(", ", where) + "); write '" + at.text() + " 1', '" + at.text() + " 2', ... to choose");
            }
            if (at.occurrence() > hits.size())
                throw new InputError(patchFile, at.line(), at.col(), "'" + at.render() + "': path " + pd.name() + " has only " + hits.size()
                        + " op line" + (hits.size() == 1 ? "" : "s") + " reading '" + at.text() + "'");
            Ast.OpStmt target = hits.get(Math.max(0, at.occurrence() - 1));
            body = edit(body, target, e.kind(), stamp(e.body(), patchFile));
        }
        return new Ast.PathDef(d.name(), body, d.line(), d.comment());
    }

    private static List<Ast.Stmt> stamp(List<Ast.Stmt> stmts, String file) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) out.add(o.file() != null ? o : new Ast.OpStmt(o.op(), o.arg(), o.line(), o.col(), o.comment(), file));
            else if (s instanceof Ast.IfStmt i)
                out.add(new Ast.IfStmt(i.cond(), stamp(i.then(), file), stamp(i.orElse(), file), i.line(), i.col(), i.file() != null ? i.file() : file));
        }
        return out;
    }

    /** The op lines reading {@code text} (all of them when null), in file order. */
    private static void opLines(List<Ast.Stmt> stmts, String text, List<Ast.OpStmt> out) {
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) { if (text == null || o.text().equals(text)) out.add(o); }
            else if (s instanceof Ast.IfStmt i) { opLines(i.then(), text, out); opLines(i.orElse(), text, out); }
        }
    }

    private static List<Ast.Stmt> edit(List<Ast.Stmt> stmts, Ast.OpStmt target, Ast.EditKind kind, List<Ast.Stmt> body) {
        List<Ast.Stmt> out = new ArrayList<>();
        for (Ast.Stmt s : stmts) {
            if (s == target) {   // identity: the one selected line, not an equal one elsewhere
                switch (kind) {
                    case BEFORE -> { out.addAll(body); out.add(s); }
                    case AFTER -> { out.add(s); out.addAll(body); }
                    case REPLACE -> out.addAll(body);
                    case DELETE -> { }
                }
            } else if (s instanceof Ast.IfStmt i) {
                out.add(new Ast.IfStmt(i.cond(), edit(i.then(), target, kind, body), edit(i.orElse(), target, kind, body), i.line(), i.col(), i.file()));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    /** At most this many declared vectors: the activation packs a vector in 4 bits, 7 built in (Act). */
    public static final int MAX_VECTORS = 8;

    public static Program compile(String name, Merged m, Set<String> options) {
        Ast.PathFile f = m.file();
        List<String> names = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (Ast.PathDef d : f.paths()) { index.put(d.name(), names.size()); names.add(d.name()); }
        if (f.vectors().size() > MAX_VECTORS) {
            Ast.VectorDef v = f.vectors().get(MAX_VECTORS);
            throw new InputError(v.file(), v.line(), v.col(), "vector " + v.name() + ": at most " + MAX_VECTORS + " vectors may be declared");
        }
        for (Ast.VectorDef v : f.vectors())
            if (!index.containsKey(v.path()))
                throw new InputError(v.file(), v.line(), v.col() + v.name().length() + 1, "vector " + v.name() + ": no path '" + v.path() + "' handles it; define 'path " + v.path() + ":'");
        Instr[][] code = new Instr[names.size()][];
        for (Ast.PathDef d : f.paths()) {
            List<Instr> out = new ArrayList<>();
            String file = m.pathFile().get(d.name());
            emit(d.body(), out, options, index, file, d, f.vectors());
            if (out.size() > 255)   // the machine packs a path's program counter into 8 bits
                throw new InputError(file, d.line(), 1, "path '" + d.name() + "' compiles to " + out.size() + " instructions; at most 255 are allowed");
            code[index.get(d.name())] = out.toArray(new Instr[0]);
        }
        rejectRunCycles(names, code);
        // kernel_thread is ret_from_fork's "testq %rbx, %rbx" (a thread function to call): anywhere
        // else it would read a register that holds something else, so it is an input error there.
        for (int i = 0; i < code.length; i++)
            for (Instr in : code[i])
                if (in != null && in.kind() == Instr.Kind.BR && in.cond() != null && in.cond().kind() == Cond.Kind.KERNEL_THREAD && !names.get(i).equals("ret_from_fork"))
                    throw new InputError(in.file(), in.line(), in.col() + 3 + (in.cond().negated() ? 4 : 0), "condition 'kernel_thread' is ret_from_fork's test of %rbx (a kernel thread's function); path '"
                            + names.get(i) + "' cannot use it");
        // A helper path no path runs (under any option) is most likely a misspelt standard path: say so.
        java.util.Set<String> run = new java.util.HashSet<>();
        for (Ast.PathDef d : f.paths()) runTargets(d.body(), run);
        for (Ast.VectorDef v : f.vectors())
            if (run.contains(v.path())) {
                Ast.PathDef d = f.path(v.path());
                throw new InputError(m.pathFile().get(d.name()), d.line(), 6, "path '" + d.name() + "' handles vector " + v.name()
                        + " (it ends with the vector's iret) and cannot also be a helper that 'run' calls");
            }
        for (Ast.PathDef d : f.paths())
            if (!PathNames.known(d.name()) && !run.contains(d.name()) && f.vectors().stream().noneMatch(v -> v.path().equals(d.name())))
                throw new InputError(m.pathFile().get(d.name()), d.line(), 6, "path '" + d.name() + "' is not one of " + String.join(", ", PathNames.ALL)
                        + " and no path runs it; a helper path needs a 'run " + d.name() + "' (or a 'vector NAME " + d.name() + "' that it handles)");
        return new Program(name, m.basePreset(), List.copyOf(names), code, Map.copyOf(index), f);
    }

    /**
     * 'run' may not recurse through other paths either (a runs b, b runs a): the nesting bound
     * would end such a run as "incomplete" at check time, so it is an input error here, at the
     * 'run' that closes the cycle.
     */
    private static void rejectRunCycles(List<String> names, Instr[][] code) {
        int n = names.size();
        int[] color = new int[n];   // 0 new, 1 on the current chain, 2 done
        for (int s = 0; s < n; s++) if (color[s] == 0) dfs(s, names, code, color, new ArrayList<>());
    }

    private static void runTargets(List<Ast.Stmt> stmts, java.util.Set<String> out) {
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o && o.op() == Op.RUN) out.add(o.arg());
            else if (s instanceof Ast.IfStmt i) { runTargets(i.then(), out); runTargets(i.orElse(), out); }
        }
    }

    private static void dfs(int v, List<String> names, Instr[][] code, int[] color, List<String> chain) {
        color[v] = 1;
        chain.add(names.get(v));
        for (Instr in : code[v]) {
            if (in == null || in.kind() != Instr.Kind.OP || in.op() != Op.RUN) continue;
            int t = in.arg();
            if (color[t] == 1) {
                List<String> cyc = new ArrayList<>(chain.subList(chain.indexOf(names.get(t)), chain.size()));
                cyc.add(names.get(t));
                throw new InputError(in.file(), in.line(), in.col() + 4, "'run " + names.get(t) + "' recurses forever: " + String.join(" -> ", cyc));
            }
            if (color[t] == 0) dfs(t, names, code, color, chain);
        }
        chain.remove(chain.size() - 1);
        color[v] = 2;
    }

    private static void emit(List<Ast.Stmt> stmts, List<Instr> out, Set<String> options,
                             Map<String, Integer> index, String file, Ast.PathDef def, List<Ast.VectorDef> vectors) {
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) {
                int arg = 0;
                if (o.op() == Op.RUN) {
                    Integer t = index.get(o.arg());
                    if (t == null)
                        throw new InputError(o.file() != null ? o.file() : file, o.line(), o.col() + 4, "'run " + o.arg() + "': this preset has no path '" + o.arg() + "'");
                    if (o.arg().equals(def.name()))
                        throw new InputError(o.file() != null ? o.file() : file, o.line(), o.col() + 4, "'run " + o.arg() + "' inside path '" + def.name() + "' would recurse forever");
                    arg = t;
                } else if (o.op() == Op.RAISE) {
                    int vi = -1;
                    for (int k = 0; k < vectors.size(); k++) if (vectors.get(k).name().equals(o.arg())) vi = k;
                    if (vi < 0)
                        throw new InputError(o.file() != null ? o.file() : file, o.line(), o.col() + 6, "'raise " + o.arg() + "': no vector " + o.arg()
                                + " is declared; add 'vector " + o.arg() + " PATH' (built-in vectors come from events, not raise)");
                    arg = ukl.model.Vector.BUILT_IN + vi;   // declared vectors follow the built-in ones
                } else if (o.arg() != null) {
                    arg = o.op().args.indexOf(o.arg());
                }
                out.add(new Instr(Instr.Kind.OP, o.op(), arg, o.arg(), null, -1, o.file() != null ? o.file() : file, o.line(), o.col(), o.comment()));
            } else if (s instanceof Ast.IfStmt i) {
                if (i.cond().kind() == Cond.Kind.OPTION) {
                    boolean on = options.contains(i.cond().option()) ^ i.cond().negated();
                    emit(on ? i.then() : i.orElse(), out, options, index, file, def, vectors);
                    continue;
                }
                int br = out.size();
                out.add(null);
                emit(i.then(), out, options, index, file, def, vectors);
                if (i.orElse().isEmpty()) {
                    out.set(br, new Instr(Instr.Kind.BR, null, 0, null, i.cond(), out.size(), i.file() != null ? i.file() : file, i.line(), i.col(), null));
                } else {
                    int jmp = out.size();
                    out.add(null);
                    out.set(br, new Instr(Instr.Kind.BR, null, 0, null, i.cond(), out.size(), i.file() != null ? i.file() : file, i.line(), i.col(), null));
                    emit(i.orElse(), out, options, index, file, def, vectors);
                    out.set(jmp, new Instr(Instr.Kind.JMP, null, 0, null, null, out.size(), i.file() != null ? i.file() : file, i.line(), i.col(), null));
                }
            }
        }
    }
}
