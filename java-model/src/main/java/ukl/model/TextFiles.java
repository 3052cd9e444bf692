package ukl.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a user's text file (path or scenario file) as UTF-8, with a positioned error when it is not. */
public final class TextFiles {
    private TextFiles() {}

    public static String readUtf8(String file) {
        byte[] bytes;
        try {
            Path p = Path.of(file);
            if (Files.isDirectory(p)) throw new InputError(file, 0, 0, "is a directory, not a file");
            bytes = Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new InputError(file, 0, 0, "no such file");
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new InputError(file, 0, 0, "cannot read: " + e.getMessage());
        }
        return decode(file, bytes);
    }

    /** Decodes strictly: the first byte that is not UTF-8 is reported with its line and column. */
    public static String decode(String file, byte[] bytes) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        var r = dec.decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int line = 1, col = 1;
            for (int k = 0; k < at; k++) {
                if (bytes[k] == '\n') { line++; col = 1; }
                else if ((bytes[k] & 0xC0) != 0x80) col++;   // count characters, not continuation bytes
            }
            throw new InputError(file, line, col, String.format("not UTF-8 text (byte 0x%02X); a path or scenario file is UTF-8 text, is this a binary file?",
                    bytes[at] & 0xFF));
        }
        dec.flush(out);
        out.flip();
        String s = out.toString();
        return s.startsWith("\uFEFF") ? s.substring(1) : s;   // a BOM is not part of the text
    }

}
