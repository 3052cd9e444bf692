package ukl.tlc;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * TLC's live counters, read once a second over JMX from the MBean TLC registers
 * (tlc2.tool:type=ModelChecker, ModelCheckerMXWrapper: distinct states, states generated, queue,
 * depth, distinct states per minute). TLC prints a progress line only once a minute
 * (TLCGlobals.progressInterval is a final 60,000 ms in TLC 2.18), so without these a run stopped
 * after 30 s could say nothing about how far it got. The TLC child opens a JMX agent on a free
 * loopback port, without authentication, reachable from this machine only.
 */
final class LiveCounters {
    private final int port;
    private volatile TlcRunner.Reached last;
    private Thread poll;

    private LiveCounters(int port) { this.port = port; }

    // The JMX client logs through java.util.logging when a link drops (TLC ending is one): keep
    // those off stderr. Strong references, since loggers are held weakly.
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("javax.management.remote.misc"),
            java.util.logging.Logger.getLogger("javax.management.remote.rmi"),
            java.util.logging.Logger.getLogger("javax.management.remote.timeout"));
    static { for (java.util.logging.Logger l : QUIET) l.setLevel(java.util.logging.Level.OFF); }

    /** A free loopback port for the child's JMX agent, or null (no counters) when none can be had. */
    static LiveCounters choose() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return new LiveCounters(s.getLocalPort());
        } catch (IOException e) {
            return null;
        }
    }

    /** The JVM options that open the child's agent. */
    List<String> jvmOptions() {
        return List.of("-Dcom.sun.management.jmxremote.port=" + port, "-Dcom.sun.management.jmxremote.rmi.port=" + port,
                "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Dcom.sun.management.jmxremote.local.only=true",
                "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false");
    }

    /** Polls the counters while p lives; each reading goes to sink. */
    void start(Process p, long t0, Consumer<TlcRunner.Reached> sink) {
        poll = new Thread(() -> {
            JMXConnector c = null;
            try {
                ObjectName name = new ObjectName("tlc2.tool:type=ModelChecker");
                JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
                while (p.isAlive() && !Thread.currentThread().isInterrupted()) {
                    try {
                        // No connection-check thread: it logs a warning on stderr when TLC ends.
                        if (c == null) c = JMXConnectorFactory.connect(url, Map.of("jmx.remote.x.client.connection.check.period", 0L));
                        MBeanServerConnection s = c.getMBeanServerConnection();
                        if (s.isRegistered(name)) {
                            long distinct = (Long) s.getAttribute(name, "DistinctStatesGenerated");
                            long gen = (Long) s.getAttribute(name, "StatesGenerated");
                            long queue = (Long) s.getAttribute(name, "StateQueueSize");
                            int depth = (Integer) s.getAttribute(name, "Progress");
                            long perMin = (Long) s.getAttribute(name, "DistinctStatesGeneratedPerMinute");
                            last = new TlcRunner.Reached(distinct, gen, queue, depth, perMin, (System.nanoTime() - t0) / 1e9, List.of());
                            sink.accept(last);
                        }
                    } catch (IOException | javax.management.JMException | RuntimeException e) {
                        // The agent is not up yet, or TLC is ending: try again; counters are a courtesy.
                        if (c != null) { try { c.close(); } catch (IOException ignored) { /* closing a dead link */ } c = null; }
                    }
                    Thread.sleep(1000);
                }
            } catch (InterruptedException | javax.management.MalformedObjectNameException | java.net.MalformedURLException e) {
                // stopped
            } finally {
                if (c != null) try { c.close(); } catch (IOException ignored) { /* the child is gone */ }
            }
        }, "tlc-counters");
        poll.setDaemon(true);
        poll.start();
    }

    /** The last reading, or null. */
    TlcRunner.Reached last() { return last; }

    void stop() { if (poll != null) poll.interrupt(); }
}
