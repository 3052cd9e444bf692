package ukl.cli;

import ukl.model.InputError;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a report to stdout or, atomically, to a file: nothing half-written on failure. */
final class Output {
    private Output() {}

    static void emit(String text, String outFile, PrintWriter out) {
        if (outFile == null) { out.print(text); out.flush(); return; }
        Path target = Path.of(outFile).toAbsolutePath();
        // --out on a symbolic link writes the file it points to (as shell redirection does), not over the link.
        try {
            for (int hops = 0; Files.isSymbolicLink(target) && hops < 40; hops++) {
                Path to = Files.readSymbolicLink(target);
                target = (to.isAbsolute() ? to : target.getParent().resolve(to)).normalize();
            }
        } catch (IOException e) {
            throw new InputError(outFile, 0, 0, "cannot follow the symbolic link: " + e.getMessage());
        }
        if (Files.isDirectory(target)) throw new InputError(outFile, 0, 0, "is a directory; --out takes a file");
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new InputError(outFile, 0, 0, "cannot write: directory " + dir + " does not exist");
        try {
            Path tmp = Files.createTempFile(dir, ".ukl-", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                // createTempFile makes it owner-only; a report is as readable as any file the user writes.
                try {
                    Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: keep its default permissions
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new InputError(outFile, 0, 0, "cannot write: " + e.getMessage());
        }
    }
}
