package ukl.model.lang;

import java.util.List;

/** The syntax tree of a path file. Positions are kept for error messages and traces. */
public final class Ast {
    private Ast() {}

    public sealed interface Stmt permits OpStmt, IfStmt {
        int line();
    }

    /** One op line; {@code comment} is the trailing {@code #} text (the source citation). */
    public record OpStmt(Op op, String arg, int line, int col, String comment) implements Stmt {}

    public record IfStmt(Cond cond, List<Stmt> then, List<Stmt> orElse, int line, int col) implements Stmt {}

    public record PathDef(String name, List<Stmt> body, int line, String comment) {}

    /** A whole file: {@code extends} (or null) and the paths it defines, in file order. */
    public record PathFile(String source, String extendsPreset, List<String> header, List<PathDef> paths) {
        public PathDef path(String name) {
            for (PathDef p : paths) if (p.name().equals(name)) return p;
            return null;
        }
    }
}
