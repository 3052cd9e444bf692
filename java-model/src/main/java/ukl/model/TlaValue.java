package ukl.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reader for the TLA+ values TLC prints (in traces and {@code -dump} files): integers,
 * booleans, strings, sequences {@code <<...>>}, records {@code [f |-> v]}, sets {@code {...}} and
 * functions {@code (k :> v @@ ...)}. Values become Long, Boolean, String, List, Map.
 */
public final class TlaValue {
    private final String s;
    private int p;

    private TlaValue(String s) { this.s = s; }

    public static Object parse(String text) {
        TlaValue r = new TlaValue(text);
        Object v = r.value();
        r.ws();
        if (r.p != r.s.length()) throw r.err("trailing text");
        return v;
    }

    /** Parses a TLC state block ({@code /\ var = value} lines) into variable name to value. */
    public static Map<String, Object> parseState(String block) {
        Map<String, Object> out = new LinkedHashMap<>();
        String b = block.strip();
        if (b.startsWith("/\\")) b = b.substring(2);
        for (String part : b.split("\\n\\s*/\\\\ ")) {
            int eq = part.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("not a TLC state line: " + part);
            out.put(part.substring(0, eq).strip(), parse(part.substring(eq + 1)));
        }
        return out;
    }

    private IllegalArgumentException err(String m) {
        return new IllegalArgumentException(m + " at " + p + " in TLA+ value: " + s.substring(Math.max(0, p - 40), Math.min(s.length(), p + 40)));
    }

    private void ws() { while (p < s.length() && Character.isWhitespace(s.charAt(p))) p++; }

    private boolean eat(String t) {
        ws();
        if (s.startsWith(t, p)) { p += t.length(); return true; }
        return false;
    }

    private void expect(String t) { if (!eat(t)) throw err("expected '" + t + "'"); }

    private Object value() {
        ws();
        if (eat("<<")) {
            List<Object> l = new ArrayList<>();
            if (eat(">>")) return l;
            do { l.add(value()); } while (eat(","));
            expect(">>");
            return l;
        }
        if (eat("[")) {
            Map<String, Object> m = new LinkedHashMap<>();
            do {
                ws();
                int st = p;
                while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
                String f = s.substring(st, p);
                expect("|->");
                m.put(f, value());
            } while (eat(","));
            expect("]");
            return m;
        }
        if (eat("{")) {
            List<Object> l = new ArrayList<>();
            if (eat("}")) return l;
            do { l.add(value()); } while (eat(","));
            expect("}");
            return l;
        }
        if (eat("(")) {   // a function over integers, printed as (k :> v @@ ...): a list by key order
            Map<Long, Object> m = new java.util.TreeMap<>();
            do {
                Object k = value();
                expect(":>");
                m.put((Long) k, value());
            } while (eat("@@"));
            expect(")");
            return new ArrayList<>(m.values());
        }
        if (eat("TRUE")) return Boolean.TRUE;
        if (eat("FALSE")) return Boolean.FALSE;
        if (eat("\"")) {
            int st = p;
            while (p < s.length() && s.charAt(p) != '"') p++;
            String v = s.substring(st, p);
            p++;
            return v;
        }
        int st = p;
        if (p < s.length() && s.charAt(p) == '-') p++;
        while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
        if (st == p) throw err("unexpected character");
        return Long.parseLong(s.substring(st, p));
    }
}
