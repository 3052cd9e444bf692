package ukl.model.lang;

import java.util.List;
import java.util.Map;

/**
 * A preset or path file compiled for one option set: every named path as a flat list of
 * instructions. This is the program both engines interpret.
 */
public record Program(String name, String basePreset, List<String> pathNames, Instr[][] code,
                      Map<String, Integer> index, Ast.PathFile merged) {
    public int pathIndex(String n) {
        Integer i = index.get(n);
        return i == null ? -1 : i;
    }

    public boolean has(String n) { return index.containsKey(n); }

    /** A listing of the flat program, one instruction a line (for {@code ukl show --compiled}). */
    public String listing() {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < code.length; p++) {
            sb.append(pathNames.get(p)).append(":\n");
            for (int i = 0; i < code[p].length; i++) {
                Instr in = code[p][i];
                sb.append(String.format("  %3d  %-36s %s:%d%n", i, in.render(), in.file(), in.line()));
            }
        }
        return sb.toString();
    }
}
