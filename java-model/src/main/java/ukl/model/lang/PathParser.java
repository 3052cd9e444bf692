package ukl.model.lang;

import ukl.model.InputError;

import java.util.ArrayList;
import java.util.List;

/**
 * Parser for path files. Indentation-structured like the examples in MODEL.md section 4:
 * {@code extends PRESET}, then {@code path NAME:} blocks of ops and {@code if COND:} /
 * {@code else:} blocks. Every error names file, line and column and what was expected.
 */
public final class PathParser {
    private record Line(int no, int indent, String text, String comment, List<Tok> toks) {}
    private record Tok(String word, int col) {}

    private final String source;
    private final List<Line> lines = new ArrayList<>();
    private final List<String> header = new ArrayList<>();
    private int pos;

    private PathParser(String source, String text) {
        this.source = source;
        split(text);
    }

    public static Ast.PathFile parse(String source, String text) {
        return new PathParser(source, text).file();
    }

    private void split(String text) {
        String[] raw = text.split("\r?\n", -1);
        boolean seenCode = false;
        for (int i = 0; i < raw.length; i++) {
            String r = raw[i];
            int no = i + 1;
            int hash = r.indexOf('#');
            String code = hash >= 0 ? r.substring(0, hash) : r;
            String comment = hash >= 0 ? r.substring(hash + 1).trim() : null;
            if (code.isBlank()) {
                if (!seenCode && comment != null) header.add(comment);
                continue;
            }
            seenCode = true;
            int indent = 0;
            while (indent < code.length() && (code.charAt(indent) == ' ' || code.charAt(indent) == '\t')) {
                if (code.charAt(indent) == '\t')
                    throw new InputError(source, no, indent + 1, "tab in indentation; indent with spaces");
                indent++;
            }
            List<Tok> toks = new ArrayList<>();
            int j = indent;
            while (j < code.length()) {
                char ch = code.charAt(j);
                if (Character.isWhitespace(ch)) { j++; continue; }
                if (ch == ':') { toks.add(new Tok(":", j + 1)); j++; continue; }
                int s = j;
                while (j < code.length() && !Character.isWhitespace(code.charAt(j)) && code.charAt(j) != ':') j++;
                toks.add(new Tok(code.substring(s, j), s + 1));
            }
            lines.add(new Line(no, indent, code.trim(), comment, toks));
        }
    }

    private InputError err(Line l, int col, String msg) { return new InputError(source, l.no, col, msg); }

    private Ast.PathFile file() {
        String ext = null;
        if (pos < lines.size() && lines.get(pos).toks.get(0).word.equals("extends")) {
            Line l = lines.get(pos++);
            if (l.indent != 0) throw err(l, 1, "'extends' must start at column 1");
            if (l.toks.size() != 2)
                throw err(l, l.toks.size() < 2 ? l.text.length() + l.indent + 1 : l.toks.get(2).col,
                        "expected 'extends PRESET' (one preset name)");
            ext = l.toks.get(1).word;
        }
        List<Ast.PathDef> paths = new ArrayList<>();
        List<Ast.PatchDef> patches = new ArrayList<>();
        List<Ast.VectorDef> vectors = new ArrayList<>();
        while (pos < lines.size()) {
            Line l = lines.get(pos);
            if (l.indent != 0) throw err(l, l.indent + 1, "unexpected indentation; expected 'path NAME:', 'patch NAME:' or 'vector NAME PATH' at column 1");
            Tok first = l.toks.get(0);
            if (first.word.equals("extends"))
                throw err(l, first.col, "'extends' must be the first line of a path file");
            if (first.word.equals("patch")) {
                if (ext == null) throw err(l, first.col, "'patch' edits an inherited path: the file needs 'extends PRESET' first");
                patches.add(patch(l, paths, patches));
                continue;
            }
            if (first.word.equals("vector")) {
                vectors.add(vector(l, vectors));
                pos++;
                continue;
            }
            if (!first.word.equals("path"))
                throw err(l, first.col, "expected 'path NAME:', 'patch NAME:' or 'vector NAME PATH', found '" + first.word + "'");
            if (l.toks.size() < 2 || l.toks.get(1).word.equals(":"))
                throw err(l, first.col + 4, "expected a path name after 'path'");
            Tok name = l.toks.get(1);
            // A name outside PathNames.ALL is a helper path, for 'run' (the compiler rejects one no path runs).
            if (!PathNames.known(name.word) && !PathNames.helperName(name.word))
                throw err(l, name.col, "bad path name '" + name.word + "'; expected one of " + String.join(", ", PathNames.ALL)
                        + ", or a helper name (lower-case letters, digits, '_')");
            if (l.toks.size() != 3 || !l.toks.get(2).word.equals(":"))
                throw err(l, l.toks.size() > 2 ? l.toks.get(2).col : name.col + name.word.length(),
                        "expected ':' after 'path " + name.word + "'");
            for (Ast.PathDef p : paths)
                if (p.name().equals(name.word))
                    throw err(l, name.col, "path '" + name.word + "' is defined twice (first at line " + p.line() + ")");
            for (Ast.PatchDef p : patches)
                if (p.name().equals(name.word))
                    throw err(l, name.col, "path '" + name.word + "' is both patched (line " + p.line() + ") and defined here; do one");
            pos++;
            List<Ast.Stmt> body = block(l, 0);
            paths.add(new Ast.PathDef(name.word, body, l.no, l.comment));
        }
        return new Ast.PathFile(source, ext, List.copyOf(header), List.copyOf(paths), List.copyOf(patches), List.copyOf(vectors));
    }

    /** The built-in vectors and the events: names a declared vector may not take (compared ignoring case). */
    private static boolean reservedVectorName(String n) {
        return ukl.model.Vector.byName(n) != null || ukl.model.Event.byName(n) != null;
    }

    /** {@code vector NAME PATH [ist K]} (issue 14): a new IDT entry handled by PATH, on IST stack K (0 none). */
    private Ast.VectorDef vector(Line l, List<Ast.VectorDef> seen) {
        Tok first = l.toks.get(0);
        String usage = "expected 'vector NAME PATH' or 'vector NAME PATH ist K' (e.g. 'vector GP exc_gp ist 0')";
        if (l.toks.size() < 2) throw err(l, first.col + 7, usage);
        Tok name = l.toks.get(1);
        if (!PathNames.vectorName(name.word))
            throw err(l, name.col, "bad vector name '" + name.word + "'; " + usage);
        if (reservedVectorName(name.word))
            throw err(l, name.col, "'" + name.word + "' is a built-in vector or event (TIMER, IPI, NMI, MC, DB, PF, DF, SIGNAL, WAKEUP); a new vector needs a new name");
        for (Ast.VectorDef v : seen)
            if (v.name().equalsIgnoreCase(name.word)) throw err(l, name.col, "vector '" + name.word + "' is declared twice (first at line " + v.line() + ")");
        if (l.toks.size() < 3) throw err(l, name.col + name.word.length() + 1, usage + ": the path that handles " + name.word + " is missing");
        Tok path = l.toks.get(2);
        if (!PathNames.helperName(path.word))
            throw err(l, path.col, PathNames.known(path.word)
                    ? "path '" + path.word + "' already handles a built-in vector or entry; give " + name.word + " a path of its own (e.g. exc_" + name.word.toLowerCase() + ")"
                    : "bad path name '" + path.word + "' (lower-case letters, digits, '_')");
        int ist = 0;
        if (l.toks.size() > 3) {
            Tok k = l.toks.get(3);
            if (!k.word.equals("ist")) throw err(l, k.col, "unexpected '" + k.word + "'; " + usage);
            if (l.toks.size() < 5) throw err(l, k.col + 4, "expected the IST index (0 none, 1 to 7) after 'ist'");
            Tok n = l.toks.get(4);
            try { ist = Integer.parseInt(n.word); } catch (NumberFormatException x) { ist = -1; }
            if (ist < 0 || ist > 7) throw err(l, n.col, "IST index must be 0 (none) to 7, not '" + n.word + "'");
            if (l.toks.size() > 5) throw err(l, l.toks.get(5).col, "unexpected '" + l.toks.get(5).word + "' after the IST index");
        }
        return new Ast.VectorDef(name.word.toUpperCase(java.util.Locale.ROOT), path.word, ist, l.no, name.col, l.comment, source);
    }

    /**
     * {@code patch NAME:} and its edits (issue 14): {@code before SEL:}, {@code after SEL:},
     * {@code replace SEL:} (each with a block of ops) and {@code delete SEL}. SEL is an op line's
     * text (the op and its argument) and, when that line occurs more than once, which one (1, 2, ...).
     */
    private Ast.PatchDef patch(Line l, List<Ast.PathDef> paths, List<Ast.PatchDef> patches) {
        Tok first = l.toks.get(0);
        if (l.toks.size() < 2 || l.toks.get(1).word.equals(":")) throw err(l, first.col + 5, "expected a path name after 'patch'");
        Tok name = l.toks.get(1);
        if (!PathNames.known(name.word) && !PathNames.helperName(name.word))
            throw err(l, name.col, "bad path name '" + name.word + "'");
        if (l.toks.size() != 3 || !l.toks.get(2).word.equals(":"))
            throw err(l, l.toks.size() > 2 ? l.toks.get(2).col : name.col + name.word.length(), "expected ':' after 'patch " + name.word + "'");
        for (Ast.PathDef p : paths)
            if (p.name().equals(name.word)) throw err(l, name.col, "path '" + name.word + "' is both defined (line " + p.line() + ") and patched here; do one");
        for (Ast.PatchDef p : patches)
            if (p.name().equals(name.word)) throw err(l, name.col, "path '" + name.word + "' is patched twice (first at line " + p.line() + "); put the edits in one patch");
        pos++;
        if (pos >= lines.size() || lines.get(pos).indent == 0)
            throw err(l, l.indent + l.text.length() + 1, "expected indented edits after '" + l.text + "': before, after, replace or delete");
        int indent = lines.get(pos).indent;
        List<Ast.Edit> edits = new ArrayList<>();
        while (pos < lines.size() && lines.get(pos).indent > 0) {
            Line e = lines.get(pos);
            if (e.indent != indent) throw err(e, e.indent + 1, "indentation does not match the patch's edits");
            Tok k = e.toks.get(0);
            Ast.EditKind kind = switch (k.word) {
                case "before" -> Ast.EditKind.BEFORE;
                case "after" -> Ast.EditKind.AFTER;
                case "replace" -> Ast.EditKind.REPLACE;
                case "delete" -> Ast.EditKind.DELETE;
                default -> throw err(e, k.col, "expected an edit: before, after or replace SEL: (with a block), or delete SEL; found '" + k.word + "'");
            };
            boolean block = kind != Ast.EditKind.DELETE;
            int end = e.toks.size();
            if (block) {
                if (!e.toks.get(end - 1).word.equals(":")) throw err(e, e.indent + e.text.length() + 1, "expected ':' after '" + e.text + "'");
                end--;
            } else if (e.toks.stream().anyMatch(t -> t.word.equals(":"))) {
                throw err(e, e.toks.stream().filter(t -> t.word.equals(":")).findFirst().get().col, "'delete SEL' takes no block and no ':'");
            }
            Ast.Selector at = selector(e, 1, end);
            pos++;
            List<Ast.Stmt> body = block ? block(e, indent) : List.of();
            edits.add(new Ast.Edit(kind, at, body, e.no, k.col));
        }
        return new Ast.PatchDef(name.word, List.copyOf(edits), l.no, first.col);
    }

    private Ast.Selector selector(Line e, int from, int end) {
        if (from >= end) throw err(e, e.toks.get(from - 1).col + e.toks.get(from - 1).word.length() + 1, "expected an op line to select, e.g. 'sti' or 'set_mode app 2'");
        Tok o = e.toks.get(from);
        Op op = Op.byWord(o.word);
        if (op == null) throw err(e, o.col, "unknown op '" + o.word + "' in the selector; expected one of " + Op.allWords());
        int i = from + 1;
        String text = op.word;
        if (op.takesArg()) {
            if (i >= end) throw err(e, o.col + o.word.length() + 1, "the selector '" + op.word + "' needs the op's argument: " + String.join("|", op.args));
            String w = e.toks.get(i++).word;
            text += " " + (op == Op.RAISE ? w.toUpperCase(java.util.Locale.ROOT) : w);
        }
        int occ = 0;
        if (i < end) {
            Tok n = e.toks.get(i++);
            try { occ = Integer.parseInt(n.word); } catch (NumberFormatException x) { occ = -1; }
            if (occ < 1) throw err(e, n.col, "expected which occurrence (1, 2, ...) after '" + text + "', found '" + n.word + "'");
        }
        if (i < end) throw err(e, e.toks.get(i).col, "unexpected '" + e.toks.get(i).word + "' in the selector");
        return new Ast.Selector(text, occ, e.no, o.col);
    }

    /** Parses the indented block under {@code owner}; every line must be indented more than {@code parentIndent}. */
    private List<Ast.Stmt> block(Line owner, int parentIndent) {
        if (pos >= lines.size() || lines.get(pos).indent <= parentIndent)
            throw new InputError(source, owner.no, owner.indent + owner.text.length() + 1,
                    "expected an indented block after '" + owner.text + "'");
        int indent = lines.get(pos).indent;
        List<Ast.Stmt> out = new ArrayList<>();
        while (pos < lines.size()) {
            Line l = lines.get(pos);
            if (l.indent < indent) {
                if (l.indent > parentIndent)
                    throw err(l, l.indent + 1, "indentation does not match any enclosing block");
                break;
            }
            if (l.indent > indent) throw err(l, l.indent + 1, "unexpected indentation");
            out.add(stmt(l, indent, out));
        }
        return out;
    }

    private Ast.Stmt stmt(Line l, int indent, List<Ast.Stmt> siblings) {
        Tok first = l.toks.get(0);
        if (first.word.equals("if")) {
            pos++;
            return ifChain(l, 1, indent);
        }
        if (first.word.equals("else")) throw err(l, first.col, "'else:' without a matching 'if' at this indentation");
        if (first.word.equals("path")) throw err(l, first.col, "'path' must start at column 1");
        if (first.word.equals(":")) throw err(l, first.col, "expected an op, found ':'");
        Op op = Op.byWord(first.word);
        if (op == null) throw err(l, first.col, "unknown op '" + first.word + "'; expected one of " + Op.allWords());
        pos++;
        String arg = null;
        if (op.takesArg()) {
            if (l.toks.size() < 2)
                throw err(l, first.col + first.word.length() + 1,
                        "op '" + op.word + "' needs an argument: " + String.join("|", op.args));
            Tok a = l.toks.get(1);
            arg = a.word;
            if (op == Op.RUN) {
                if (!PathNames.known(arg) && !PathNames.helperName(arg))
                    throw err(l, a.col, "bad path name '" + arg + "'; expected one of " + String.join(", ", PathNames.ALL) + ", or a helper path's name");
            } else if (op == Op.RAISE) {
                // The compiler checks the name against the program's 'vector' declarations.
                if (!PathNames.vectorName(arg)) throw err(l, a.col, "bad vector name '" + arg + "'");
                arg = arg.toUpperCase(java.util.Locale.ROOT);
            } else if (!op.args.contains(arg)) {
                throw err(l, a.col, "op '" + op.word + "' takes " + String.join("|", op.args) + ", not '" + arg + "'");
            }
            if (l.toks.size() > 2) throw err(l, l.toks.get(2).col, "unexpected '" + l.toks.get(2).word + "' after '" + op.word + " " + arg + "'");
        } else if (l.toks.size() > 1) {
            throw err(l, l.toks.get(1).col, "op '" + op.word + "' takes no argument");
        }
        return new Ast.OpStmt(op, arg, l.no, first.col, l.comment);
    }

    /** {@code if COND:} (or {@code else if COND:}, the condition at token {@code at}), its block, and any else if / else. */
    private Ast.IfStmt ifChain(Line l, int at, int indent) {
        Tok kw = l.toks.get(at - 1);
        Cond c = cond(l, at);
        List<Ast.Stmt> then = block(l, indent);
        List<Ast.Stmt> orElse = List.of();
        if (pos < lines.size() && lines.get(pos).indent == indent && lines.get(pos).toks.get(0).word.equals("else")) {
            Line e = lines.get(pos++);
            if (e.toks.size() > 1 && e.toks.get(1).word.equals("if")) {
                orElse = List.of(ifChain(e, 2, indent));   // else if: sugar for an else holding one if
            } else {
                if (e.toks.size() != 2 || !e.toks.get(1).word.equals(":"))
                    throw err(e, e.toks.size() > 1 ? e.toks.get(1).col : e.toks.get(0).col + 4, "expected 'else:' or 'else if COND:'");
                orElse = block(e, indent);
            }
        }
        return new Ast.IfStmt(c, then, orElse, l.no, kw.col);
    }

    private Cond cond(Line l, int start) {
        List<Tok> t = l.toks;
        int i = start;
        boolean neg = false;
        if (i < t.size() && t.get(i).word.equals("not")) { neg = true; i++; }
        if (i >= t.size() || t.get(i).word.equals(":"))
            throw err(l, i < t.size() ? t.get(i).col : t.get(0).col + 3,
                    "expected a condition: from_user, bypass, need_resched, sig_pending, sig_frame, kernel_thread or option NAME");
        Tok k = t.get(i);
        Cond.Kind kind = Cond.Kind.byWord(k.word);
        if (kind == null)
            throw err(l, k.col, "unknown condition '" + k.word + "'; expected from_user, bypass, need_resched, sig_pending, sig_frame, kernel_thread or option NAME");
        i++;
        String opt = null;
        if (kind == Cond.Kind.OPTION) {
            if (i >= t.size() || t.get(i).word.equals(":")) throw err(l, k.col + 7, "expected an option name after 'option'");
            Tok o = t.get(i++);
            if (!ukl.model.Option.isKnown(o.word))
                throw err(l, o.col, "unknown option '" + o.word + "'; expected one of " + ukl.model.Option.allNames());
            opt = o.word;
        }
        if (i >= t.size() || !t.get(i).word.equals(":"))
            throw err(l, i < t.size() ? t.get(i).col : l.indent + l.text.length() + 1, "expected ':' after the condition");
        if (i + 1 < t.size()) throw err(l, t.get(i + 1).col, "unexpected text after ':'; put the block on the next lines");
        return new Cond(neg, kind, opt);
    }
}
