package ukl.model.lang;

/**
 * One instruction of a compiled path. {@code OP} runs an op; {@code BR} jumps to {@code target}
 * when {@code cond} is false; {@code JMP} jumps unconditionally. Branches take no step: they are
 * resolved when the next op is fetched, atomically with it.
 */
public record Instr(Kind kind, Op op, int arg, String argWord, Cond cond, int target,
                    String file, int line, int col, String comment) {
    public enum Kind { OP, BR, JMP }

    public String render() {
        return switch (kind) {
            case OP -> op.word + (argWord != null ? " " + argWord : "");
            case BR -> "br_unless " + cond.render() + " -> " + target;
            case JMP -> "jmp " + target;
        };
    }
}
