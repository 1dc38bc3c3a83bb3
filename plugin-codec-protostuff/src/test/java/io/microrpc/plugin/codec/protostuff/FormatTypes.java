package io.microrpc.plugin.codec.protostuff;

import io.microrpc.demo.api.Gender;
import java.util.List;
import java.util.Map;

/** Classes for {@link ProtostuffFormatTest}; names come in pairs of equal length for byte swaps. */
final class FormatTypes {

    private FormatTypes() {}

    abstract static class Animal {
        String name;
    }

    static final class Cat extends Animal {}

    /** Not an Animal; named like {@link Cat} so a payload can carry one in its place. */
    static final class Cup {
        String name;
    }

    interface Shape {}

    static final class Square implements Shape {
        int side;
    }

    /** Not a Shape; named like {@link Square}. */
    static final class Saucer {
        int side;
    }

    static final class Zoo {
        Animal pet;
        Shape shape;
        Shape[] shapes;
    }

    /** A chain of any length, to nest objects deeply. */
    static final class Link {
        Object next;

        static Link chain(int length) {
            Link head = new Link();
            for (int i = 1; i < length; i++) {
                Link link = new Link();
                link.next = head;
                head = link;
            }
            return head;
        }
    }

    /** An enum in every position protostuff reads one from, each a field of its own. */
    static final class Survey {
        Gender single;
        List<Gender> list;
        Map<Gender, String> keys;
        Map<String, Gender> values;
        Gender[] array;
        Object any;
        List<Object> anyList;
    }
}
