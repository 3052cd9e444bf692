package ukl.model.lang;

import java.util.List;

/** The syntax tree of a path file. Positions are kept for error messages and traces. */
public final class Ast {
    private Ast() {}

    public sealed interface Stmt permits OpStmt, IfStmt {
        int line();
    }

    /**
     * One op line; {@code comment} is the trailing {@code #} text (the source citation). {@code file}
     * is null for a line of the path's own file; a patch (issue 14) stamps the lines it splices into
     * an inherited path with the file each comes from.
     */
    public record OpStmt(Op op, String arg, int line, int col, String comment, String file) implements Stmt {
        public OpStmt(Op op, String arg, int line, int col, String comment) { this(op, arg, line, col, comment, null); }
        public String text() { return op.word + (arg != null ? " " + arg : ""); }
    }

    public record IfStmt(Cond cond, List<Stmt> then, List<Stmt> orElse, int line, int col, String file) implements Stmt {
        public IfStmt(Cond cond, List<Stmt> then, List<Stmt> orElse, int line, int col) { this(cond, then, orElse, line, col, null); }
    }

    public record PathDef(String name, List<Stmt> body, int line, String comment) {}

    /** Where an edit of a patch applies: the {@code occurrence}-th op line (1-based, 0 = the only one) reading {@code text}. */
    public record Selector(String text, int occurrence, int line, int col) {
        public String render() { return text + (occurrence > 0 ? " " + occurrence : ""); }
    }

    public enum EditKind { BEFORE, AFTER, REPLACE, DELETE }

    public record Edit(EditKind kind, Selector at, List<Stmt> body, int line, int col) {}

    /** {@code patch NAME:}: edits to the path NAME as the preset chain below this file defines it. */
    public record PatchDef(String name, List<Edit> edits, int line, int col) {}

    /**
     * {@code vector NAME PATH [ist K]} (issue 14): a new IDT entry. The path handles it, K is its
     * IST index (0: none, the stack the CPU is on); {@code raise NAME} delivers it. {@code file} is
     * where the declaration is (a merged program keeps the declarations of its whole chain).
     */
    public record VectorDef(String name, String path, int ist, int line, int col, String comment, String file) {}

    /** A whole file: {@code extends} (or null), the paths it defines, the patches it makes and the vectors it declares, in file order. */
    public record PathFile(String source, String extendsPreset, List<String> header, List<PathDef> paths, List<PatchDef> patches,
                           List<VectorDef> vectors) {
        public PathFile(String source, String extendsPreset, List<String> header, List<PathDef> paths) {
            this(source, extendsPreset, header, paths, List.of(), List.of());
        }

        public PathFile(String source, String extendsPreset, List<String> header, List<PathDef> paths, List<PatchDef> patches) {
            this(source, extendsPreset, header, paths, patches, List.of());
        }

        public VectorDef vector(String name) {
            for (VectorDef v : vectors) if (v.name().equalsIgnoreCase(name)) return v;
            return null;
        }

        public PathDef path(String name) {
            for (PathDef p : paths) if (p.name().equals(name)) return p;
            return null;
        }
    }
}
