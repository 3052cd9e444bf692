package ukl.model.lang;

/** A condition of an {@code if}: {@code [not] from_user | bypass | need_resched | sig_pending | option NAME}. */
public record Cond(boolean negated, Kind kind, String option) {
    public enum Kind {
        FROM_USER("from_user"), BYPASS("bypass"), NEED_RESCHED("need_resched"), SIG_PENDING("sig_pending"), OPTION("option");
        public final String word;
        Kind(String w) { word = w; }
        public static Kind byWord(String w) {
            for (Kind k : values()) if (k.word.equals(w)) return k;
            return null;
        }
    }

    public String render() {
        String base = kind == Kind.OPTION ? "option " + option : kind.word;
        return negated ? "not " + base : base;
    }
}
