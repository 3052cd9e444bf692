package ukl.model;

/**
 * Bad input from a user: a malformed path or scenario file, an unknown name, contradictory
 * options, a missing file. Carries the position so the CLI can print one
 * {@code file:line:col: message} line and exit 2 (DEVELOPERS' guide, "Standards").
 */
public final class InputError extends RuntimeException {
    private final String file;
    private final int line;
    private final int col;

    public InputError(String file, int line, int col, String message) {
        super(message);
        this.file = file;
        this.line = line;
        this.col = col;
    }

    /** An error about a command-line value, not a file position. */
    public static InputError arg(String what, String message) {
        return new InputError(what, 0, 0, message);
    }

    public String file() { return file; }
    public int line() { return line; }
    public int col() { return col; }

    /** The one line the user sees. */
    public String render() {
        if (line <= 0) return file + ": " + getMessage();
        return file + ":" + line + ":" + col + ": " + getMessage();
    }
}
