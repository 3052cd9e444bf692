package ukl.model;

import ukl.model.lang.Ast;
import ukl.model.lang.PathParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The bundled presets, shipped as path files under {@code /presets/NAME.ukl}. */
public final class Presets {
    private Presets() {}

    public static final List<String> NAMES = List.of("linux", "ukl-paper", "ukl-5.14", "ukl-rfc", "ukl-6x");

    /** Presets that follow the code; the dissertation-only mechanisms are not in them. */
    public static final List<String> CODE_PRESETS = List.of("ukl-5.14", "ukl-rfc", "ukl-6x");

    public static boolean exists(String name) { return NAMES.contains(name); }

    public static String text(String name) {
        if (!exists(name)) return null;
        try (InputStream in = Presets.class.getResourceAsStream("/presets/" + name + ".ukl")) {
            if (in == null) throw new IllegalStateException("preset resource missing from the jar: " + name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Ast.PathFile load(String name) {
        String t = text(name);
        return t == null ? null : PathParser.parse(name, t);
    }
}
