package io.microrpc.plugin.codec.protostuff.fuzz;

import io.microrpc.demo.api.User;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Classes no {@link FuzzedApi} payload may bring to life: not in its allow-list, but on the class path,
 * so a codec that loaded names from the wire would load them. Their static initializers and
 * constructors raise a flag the fuzz tests check after every input. Their names are in the fuzzers'
 * dictionaries.
 */
public final class Canary {

    static final AtomicBoolean TOUCHED = new AtomicBoolean();
    static volatile String touchedBy;

    private Canary() {}

    static void touch(String who) {
        touchedBy = who;
        TOUCHED.set(true);
    }

    public static boolean touched() {
        return TOUCHED.get();
    }

    public static String touchedBy() {
        return touchedBy;
    }

    /** A plain class, named like a value type. */
    public static class Pojo {
        static {
            touch("static initializer of " + Pojo.class.getName());
        }

        public String label;

        public Pojo() {
            touch("constructor of " + Pojo.class.getName());
        }
    }

    /** A collection, for the positions that name collection classes. */
    public static class Collection extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;

        static {
            touch("static initializer of " + Collection.class.getName());
        }

        public Collection() {
            touch("constructor of " + Collection.class.getName());
        }
    }

    /** A subclass of a type the interface declares: allowed by name it is not. */
    public static class SubUser extends User {
        static {
            touch("static initializer of " + SubUser.class.getName());
        }

        public SubUser() {
            touch("constructor of " + SubUser.class.getName());
        }
    }
}
