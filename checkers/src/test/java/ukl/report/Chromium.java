package ukl.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Debian chromium driven over the Chrome DevTools Protocol (JDK WebSocket, no extra
 * dependency): load a page, collect its errors, evaluate script, take a screenshot.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");

    private final Process proc;
    private final Path profile;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final ConcurrentHashMap<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    /** Exceptions thrown by the page and console/log errors, as CDP reported them. */
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();

    Chromium() throws Exception {
        profile = Files.createTempDirectory("ukl-chromium-");
        // The flags the workplace's notes give for this machine's closed network.
        proc = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--remote-debugging-port=0", "--window-size=1400,1000", "about:blank")
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        long end = System.currentTimeMillis() + 30_000;
        while (!Files.exists(portFile) || Files.readAllLines(portFile).size() < 2) {
            if (System.currentTimeMillis() > end || !proc.isAlive())
                throw new IllegalStateException("chromium did not start: " + Files.readString(profile.resolve("chromium.log")));
            Thread.sleep(100);
        }
        String port = Files.readAllLines(portFile).get(0).strip();
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"type\"\\s*:\\s*\"page\"[\\s\\S]*?\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"").matcher(list);
        if (!m.find()) throw new IllegalStateException("no page target in " + list);
        ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(m.group(1)), new Listener()).get(10, TimeUnit.SECONDS);
        call("Runtime.enable", "{}");
        call("Log.enable", "{}");
        call("Page.enable", "{}");
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder buf = new StringBuilder();

        @Override public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            buf.append(data);
            if (last) { handle(buf.toString()); buf.setLength(0); }
            w.request(1);
            return null;
        }
    }

    private void handle(String msg) {
        Matcher id = Pattern.compile("^\\{\"id\":(\\d+),").matcher(msg);
        if (id.find()) {
            CompletableFuture<String> f = pending.remove(Integer.parseInt(id.group(1)));
            if (f != null) f.complete(msg);
            return;
        }
        if (msg.contains("\"method\":\"Runtime.exceptionThrown\"")) errors.add(msg);
        else if (msg.contains("\"method\":\"Runtime.consoleAPICalled\"") && msg.contains("\"type\":\"error\"")) errors.add(msg);
        else if (msg.contains("\"method\":\"Log.entryAdded\"") && msg.contains("\"level\":\"error\"")) errors.add(msg);
        else if (msg.contains("\"method\":\"Page.loadEventFired\"")) loaded.complete(null);
    }

    String call(String method, String paramsJson) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> f = new CompletableFuture<>();
        pending.put(id, f);
        ws.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}", true).get(10, TimeUnit.SECONDS);
        String r = f.get(60, TimeUnit.SECONDS);
        if (r.contains("\"error\":{")) throw new IllegalStateException(method + ": " + r);
        return r;
    }

    void open(Path file) throws Exception {
        call("Page.navigate", "{\"url\":\"" + file.toUri() + "\"}");
        loaded.get(60, TimeUnit.SECONDS);
    }

    /** Evaluates an expression and returns its value as a string (the expression must yield a string). */
    String eval(String js) throws Exception {
        String r = call("Runtime.evaluate", "{\"expression\":" + quote(js) + ",\"returnByValue\":true}");
        if (r.contains("\"exceptionDetails\"")) throw new IllegalStateException("script failed: " + r);
        Matcher m = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(r);
        return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
    }

    void screenshot(Path png) throws Exception {
        String r = call("Page.captureScreenshot", "{\"format\":\"png\"}");
        Matcher m = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"").matcher(r);
        if (!m.find()) throw new IllegalStateException("no screenshot data");
        Files.createDirectories(png.getParent());
        Files.write(png, java.util.Base64.getDecoder().decode(m.group(1)));
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c == '\n') sb.append("\\n");
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    @Override public void close() throws IOException {
        try { ws.abort(); } catch (RuntimeException e) { /* already closed */ }
        // Chromium's helpers (network service, GPU process) outlive the browser process for a moment
        // and keep writing into the profile: stop them too before the profile is removed.
        List<ProcessHandle> helpers = proc.descendants().toList();
        proc.destroy();
        helpers.forEach(ProcessHandle::destroy);
        try { if (!proc.waitFor(5, TimeUnit.SECONDS)) proc.destroyForcibly(); } catch (InterruptedException e) { proc.destroyForcibly(); }
        for (ProcessHandle h : helpers) {
            try { h.onExit().get(5, TimeUnit.SECONDS); } catch (Exception e) { h.destroyForcibly(); }
        }
        try (var s = Files.walk(profile)) {
            List<Path> all = new ArrayList<>(s.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) Files.deleteIfExists(p);
        } catch (IOException | java.io.UncheckedIOException e) {
            // a file that vanished while the walk ran, or a leftover temporary profile: harmless,
            // the test's verdict was decided before this cleanup
        }
    }
}
