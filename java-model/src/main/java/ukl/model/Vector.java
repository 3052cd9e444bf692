package ukl.model;

/**
 * Interrupt and exception vectors with the path that handles each and Linux's IST assignment
 * (arch/x86/include/asm/page_64_types.h: IST_INDEX_DF=0, NMI=1, DB=2, MCE=3, so TSS ist[1..4]).
 */
public enum Vector {
    TIMER("irq", 0), IPI("irq", 0), NMI("nmi", 2), MC("mc", 4), DB("db", 3), PF("exc_pf", 0), DF("exc_df", 1);

    public final String path;
    public final int defaultIst;

    Vector(String path, int ist) { this.path = path; this.defaultIst = ist; }

    private static final Vector[] ALL = values();   // values() copies its array on every call

    /** How many vectors are built in; the ones a path file declares (issue 14) are numbered from here. */
    public static final int BUILT_IN = ALL.length;

    /** The built-in vector of this ordinal, or null for a declared one (no array copy: handlers run on every delivery). */
    static Vector builtIn(int ordinal) { return ordinal < BUILT_IN ? ALL[ordinal] : null; }

    /** IST index given to #PF under PF_SS: the public sources do not name it; 6 is free in Linux's table. */
    public static final int PF_SS_IST = 6;

    public static Vector byName(String n) {
        for (Vector v : values()) if (v.name().equalsIgnoreCase(n.strip())) return v;   // names are case-insensitive
        return null;
    }
}
