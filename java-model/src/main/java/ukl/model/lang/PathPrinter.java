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
        boolean first = true;
        for (Ast.PathDef p : f.paths()) {
            if (!first) sb.append('\n');
            first = false;
            line(sb, "path " + p.name() + ":", p.comment());
            block(sb, p.body(), 1);
        }
        return sb.toString();
    }

    private static void block(StringBuilder sb, List<Ast.Stmt> stmts, int depth) {
        String ind = "    ".repeat(depth);
        for (Ast.Stmt s : stmts) {
            if (s instanceof Ast.OpStmt o) {
                line(sb, ind + o.op().word + (o.arg() != null ? " " + o.arg() : ""), o.comment());
            } else if (s instanceof Ast.IfStmt i) {
                line(sb, ind + "if " + i.cond().render() + ":", null);
                block(sb, i.then(), depth + 1);
                if (!i.orElse().isEmpty()) {
                    line(sb, ind + "else:", null);
                    block(sb, i.orElse(), depth + 1);
                }
            }
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
