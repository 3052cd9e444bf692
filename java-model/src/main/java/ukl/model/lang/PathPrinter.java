package ukl.model.lang;

import java.util.List;

/** Prints a path file in the canonical layout; {@link PathParser} reads it back to the same tree. */
public final class PathPrinter {
    private PathPrinter() {}

    public static String print(Ast.PathFile f) {
        StringBuilder sb = new StringBuilder();
        for (String h : f.header()) sb.append(h.isEmpty() ? "#" : "# " + h).append('\n');
        if (!f.header().isEmpty()) sb.append('\n');
        if (f.extendsPreset() != null) sb.append("extends ").append(f.extendsPreset()).append("\n\n");
        vectors(sb, f.vectors(), false);
        boolean first = true;
        for (Ast.PathDef p : f.paths()) {
            if (!first) sb.append('\n');
            first = false;
            line(sb, "path " + p.name() + ":", p.comment());
            block(sb, p.body(), 1);
        }
        for (Ast.PatchDef p : f.patches()) {
            if (!first) sb.append('\n');
            first = false;
            line(sb, "patch " + p.name() + ":", null);
            for (Ast.Edit e : p.edits()) {
                line(sb, "    " + e.kind().name().toLowerCase() + " " + e.at().render() + (e.kind() == Ast.EditKind.DELETE ? "" : ":"), null);
                block(sb, e.body(), 2);
            }
        }
        return sb.toString();
    }

    /**
     * The merged program of a path file (issue 14, `ukl show FILE`): every path it checks, its own
     * and the inherited ones, each op line's comment prefixed with the file and line it comes from.
     * The output parses back as a path file with no 'extends'.
     */
    public static String printMerged(PathCompiler.Merged m) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(m.file().source()).append(", merged: base preset ").append(m.basePreset()).append('\n');
        for (String h : m.file().header()) sb.append(h.isEmpty() ? "#" : "# " + h).append('\n');
        sb.append('\n');
        vectors(sb, m.file().vectors(), true);
        boolean first = true;
        for (Ast.PathDef p : m.file().paths()) {
            if (!first) sb.append('\n');
            first = false;
            String from = m.pathFile().get(p.name());
            java.util.Set<String> files = new java.util.TreeSet<>();
            files(p.body(), files);
            files.remove(from);
            String patched = files.isEmpty() ? "" : ", patched by " + String.join(", ", files);
            line(sb, "path " + p.name() + ":", "from " + from + patched + (p.comment() != null && !p.comment().isEmpty() ? ": " + p.comment() : ""));
            originBlock(sb, p.body(), 1, from);
        }
        return sb.toString();
    }

    /** The 'vector' declarations, one a line, then a blank line; {@code origin}: prefix each comment with its file and line. */
    private static void vectors(StringBuilder sb, List<Ast.VectorDef> vs, boolean origin) {
        for (Ast.VectorDef v : vs) {
            String c = v.comment() != null && !v.comment().isEmpty() ? v.comment() : null;
            if (origin) c = v.file() + ":" + v.line() + (c != null ? ": " + c : "");
            line(sb, "vector " + v.name() + " " + v.path() + (v.ist() != 0 ? " ist " + v.ist() : ""), c);
        }
        if (!vs.isEmpty()) sb.append('\n');
    }

    private static void originBlock(StringBuilder sb, List<Ast.Stmt> stmts, int depth, String from) {
        String ind = "    ".repeat(depth);
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) {
                String c = (o.file() != null ? o.file() : from) + ":" + o.line() + (o.comment() != null && !o.comment().isEmpty() ? "  " + o.comment() : "");
                line(sb, ind + o.op().word + (o.arg() != null ? " " + o.arg() : ""), c);
            } else if (s instanceof Ast.IfStmt i) {
                originIf(sb, i, ind, depth, "if ", from);
            }
        }
    }

    private static void originIf(StringBuilder sb, Ast.IfStmt i, String ind, int depth, String kw, String from) {
        line(sb, ind + kw + i.cond().render() + ":", (i.file() != null ? i.file() : from) + ":" + i.line());
        originBlock(sb, i.then(), depth + 1, from);
        if (i.orElse().size() == 1 && i.orElse().get(0) instanceof Ast.IfStmt e) {
            originIf(sb, e, ind, depth, "else if ", from);
        } else if (!i.orElse().isEmpty()) {
            line(sb, ind + "else:", null);
            originBlock(sb, i.orElse(), depth + 1, from);
        }
    }

    private static void files(List<Ast.Stmt> stmts, java.util.Set<String> out) {
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) { if (o.file() != null) out.add(o.file()); }
            else if (s instanceof Ast.IfStmt i) { if (i.file() != null) out.add(i.file()); files(i.then(), out); files(i.orElse(), out); }
        }
    }

    private static void block(StringBuilder sb, List<Ast.Stmt> stmts, int depth) {
        String ind = "    ".repeat(depth);
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) {
                line(sb, ind + o.op().word + (o.arg() != null ? " " + o.arg() : ""), o.comment());
            } else if (s instanceof Ast.IfStmt i) {
                ifChain(sb, i, ind, depth, "if ");
            }
        }
    }

    private static void ifChain(StringBuilder sb, Ast.IfStmt i, String ind, int depth, String kw) {
        line(sb, ind + kw + i.cond().render() + ":", null);
        block(sb, i.then(), depth + 1);
        if (i.orElse().size() == 1 && i.orElse().get(0) instanceof Ast.IfStmt e) {
            ifChain(sb, e, ind, depth, "else if ");
        } else if (!i.orElse().isEmpty()) {
            line(sb, ind + "else:", null);
            block(sb, i.orElse(), depth + 1);
        }
    }

    private static void line(StringBuilder sb, String code, String comment) {
        sb.append(code);
        if (comment != null && !comment.isEmpty()) {
            int pad = Math.max(1, 32 - code.length());
            sb.append(" ".repeat(pad)).append("# ").append(comment);
        }
        sb.append('\n');
    }
}
