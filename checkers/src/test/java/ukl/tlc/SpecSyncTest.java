package ukl.tlc;

import org.junit.jupiter.api.Test;
import ukl.model.lang.Op;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lists that Kernel.tla spells out by hand and the Java machine derives: they must agree. */
class SpecSyncTest {
    private static Set<String> tlaSet(String name) {
        Matcher m = Pattern.compile("(?s)\\n" + name + " == \\{(.*?)\\}").matcher(TlcRunner.kernelTla());
        assertTrue(m.find(), name + " is defined in Kernel.tla");
        Set<String> r = new TreeSet<>();
        Matcher w = Pattern.compile("\"([a-z_]+)\"").matcher(m.group(1));
        while (w.find()) r.add(w.group(1));
        return r;
    }

    @Test
    void cCodeOpsAreTheSameInBothEngines() {
        Set<String> java = Arrays.stream(Op.values()).filter(o -> o.cCode).map(o -> o.word).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(java, tlaSet("COps"), "Op.cCode and Kernel.tla's COps (the ops an STI shadow does not cover)");
    }
}
