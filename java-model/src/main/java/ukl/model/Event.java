package ukl.model;

/** Events the environment may inject (MODEL.md section 2). */
public enum Event {
    TIMER("maskable; the handler sets needResched"),
    IPI("maskable; raised by send_ipi (TLB shootdown), the handler reads data on the sender's stack"),
    NMI("not maskable; blocked from delivery until the next iret on that CPU"),
    MC("machine check, any time"),
    DB("debug trap on app code (a scenario arms it by listing DB)"),
    SIGNAL("sets sigPending of an app thread (wakes it if sleeping)"),
    WAKEUP("a sleeping thread becomes READY");

    public final String description;

    Event(String d) { description = d; }

    public static Event byName(String n) {
        for (Event e : values()) if (e.name().equalsIgnoreCase(n.strip())) return e;   // names are case-insensitive
        return null;
    }
}
