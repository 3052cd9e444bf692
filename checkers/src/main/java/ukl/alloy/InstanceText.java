package ukl.alloy;

import edu.mit.csail.sdg.alloy4.Err;
import edu.mit.csail.sdg.ast.ExprVar;
import edu.mit.csail.sdg.ast.Sig;
import edu.mit.csail.sdg.parser.CompModule;
import edu.mit.csail.sdg.translator.A4Solution;
import edu.mit.csail.sdg.translator.A4Tuple;
import edu.mit.csail.sdg.translator.A4TupleSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * An Alloy instance in words: the culprits the check quantified over (its Skolem constants: "c =
 * Cpu0"), every atom with its fixed fields ("AppStack0: half = UserHalf, space = Mm0"), and for a
 * trace, what each state changes ("state 1: Cpu1.running = OrdinaryThread0").
 */
final class InstanceText {
    private InstanceText() {}

    /** "Cpu$0" reads as "Cpu0"; "UserHalf$0" of a one-sig reads as "UserHalf". */
    static String atom(String a) {
        int i = a.lastIndexOf('$');
        if (i < 0) return a;
        String base = a.substring(0, i), n = a.substring(i + 1);
        return base + n;
    }

    private static String oneAtom(String a, CompModule world) {
        String r = atom(a);
        for (Sig s : world.getAllReachableSigs())
            if (s.isOne != null && a.equals(s.label.replaceFirst("^this/", "") + "$0")) return s.label.replaceFirst("^this/", "");
        return r;
    }

    private static List<Sig> userSigs(CompModule world) {
        List<Sig> r = new ArrayList<>();
        for (Sig s : world.getAllReachableSigs()) if (!s.builtin && s.label.startsWith("this/")) r.add(s);
        return r;
    }

    /** Whether the model has mutable (var) fields: only then is an instance a trace worth telling state by state. */
    private static boolean hasVar(CompModule world) {
        for (Sig s : userSigs(world)) for (Sig.Field f : s.getFields()) if (f.isVariable != null) return true;
        return false;
    }

    private static String render(A4TupleSet ts, int from, CompModule world) {
        StringJoiner j = new StringJoiner(", ");
        for (A4Tuple t : ts) {
            StringJoiner k = new StringJoiner(" -> ");
            for (int i = from; i < t.arity(); i++) k.add(oneAtom(t.atom(i), world));
            j.add(k.toString());
        }
        String s = j.toString();
        return s.isEmpty() ? "none" : s;
    }

    /** The value of field f for the atom a, at state st. */
    private static String valueOf(A4Solution sol, Sig.Field f, String a, int st, CompModule world) {
        StringJoiner j = new StringJoiner(", ");
        for (A4Tuple t : sol.eval(f, st)) {
            if (!t.atom(0).equals(a)) continue;
            StringJoiner k = new StringJoiner(" -> ");
            for (int i = 1; i < t.arity(); i++) k.add(oneAtom(t.atom(i), world));
            j.add(k.toString());
        }
        String s = j.toString();
        return s.isEmpty() ? "none" : s;
    }

    private static List<String> atomsOf(A4Solution sol, Sig s, int st) {
        List<String> r = new ArrayList<>();
        for (A4Tuple t : sol.eval(s, st)) if (!r.contains(t.atom(0))) r.add(t.atom(0));
        return r;
    }

    static String describe(A4Solution sol, CompModule world) {
        StringBuilder sb = new StringBuilder();
        boolean hasVar = hasVar(world);
        boolean temporal = hasVar && sol.isTemporal();
        int len = temporal ? sol.getTraceLength() : 1;
        if (temporal)
            sb.append("  a trace of ").append(len).append(len == 1 ? " state" : " states")
              .append(", looping back to state ").append(sol.getLoopState()).append('\n');
        List<String> wit = new ArrayList<>();
        for (ExprVar v : sol.getAllSkolems()) {
            try {
                Object val = sol.eval(v, 0);
                if (val instanceof A4TupleSet ts) wit.add(skolemName(v.label) + " = " + render(ts, 0, world));
            } catch (Err e) {
                // A Skolem constant the evaluator cannot resolve is omitted; the atoms below still say everything.
            }
        }
        if (!wit.isEmpty()) sb.append("  where ").append(String.join("; ", wit)).append('\n');
        // Atoms with their fixed fields; sigs with subsigs are described through their subsigs.
        for (Sig s : userSigs(world)) {
            if (s instanceof Sig.PrimSig p && !p.children().isEmpty()) continue;
            for (String a : atomsOf(sol, s, 0)) {
                StringJoiner fields = new StringJoiner(", ");
                for (Sig owner = s; owner instanceof Sig.PrimSig ps && ps.label.startsWith("this/"); owner = ps.parent)
                    for (Sig.Field f : owner.getFields())
                        if (f.isVariable == null) fields.add(f.label + " = " + valueOf(sol, f, a, 0, world));
                if (s.isOne != null && fields.length() == 0) continue;
                sb.append("  ").append(oneAtom(a, world));
                if (fields.length() > 0) sb.append(": ").append(fields);
                sb.append('\n');
            }
        }
        // Variable fields, state by state: everything at state 0, then only what changes.
        Map<String, String> prev = new LinkedHashMap<>();
        for (int st = 0; hasVar && st < len; st++) {
            List<String> changes = new ArrayList<>();
            for (Sig s : userSigs(world))
                for (Sig.Field f : s.getFields()) {
                    if (f.isVariable == null) continue;
                    for (String a : atomsOf(sol, s, st)) {
                        String key = oneAtom(a, world) + "." + f.label;
                        String v = valueOf(sol, f, a, st, world);
                        if (!v.equals(prev.get(key))) changes.add(key + " = " + v);
                        prev.put(key, v);
                    }
                }
            if (!changes.isEmpty() || st == 0)
                sb.append("  state ").append(st).append(": ").append(changes.isEmpty() ? "(no variable fields)" : String.join("; ", changes)).append('\n');
            else sb.append("  state ").append(st).append(": nothing changes\n");
        }
        return sb.toString();
    }

    /** "$nss_ipi_data_with_corunner_c" reads as "c". */
    private static String skolemName(String label) {
        String s = label.startsWith("$") ? label.substring(1) : label;
        int i = s.lastIndexOf('_');
        return i >= 0 && i + 1 < s.length() ? s.substring(i + 1) : s;
    }

    static Map<String, Object> json(A4Solution sol, CompModule world) {
        Map<String, Object> m = new LinkedHashMap<>();
        boolean hasVar = hasVar(world);
        int len = hasVar && sol.isTemporal() ? sol.getTraceLength() : 1;
        m.put("states", len);
        if (hasVar && sol.isTemporal()) m.put("loop", sol.getLoopState());
        List<Object> states = new ArrayList<>();
        for (int st = 0; st < len; st++) {
            Map<String, Object> rel = new LinkedHashMap<>();
            for (Sig s : userSigs(world)) {
                List<String> atoms = new ArrayList<>();
                for (String a : atomsOf(sol, s, st)) atoms.add(oneAtom(a, world));
                rel.put(s.label.replaceFirst("^this/", ""), atoms);
                for (Sig.Field f : s.getFields()) {
                    List<Object> tuples = new ArrayList<>();
                    for (A4Tuple t : sol.eval(f, st)) {
                        List<String> tu = new ArrayList<>();
                        for (int i = 0; i < t.arity(); i++) tu.add(oneAtom(t.atom(i), world));
                        tuples.add(tu);
                    }
                    rel.put(s.label.replaceFirst("^this/", "") + "." + f.label, tuples);
                }
            }
            states.add(rel);
        }
        m.put("trace", states);
        return m;
    }
}
