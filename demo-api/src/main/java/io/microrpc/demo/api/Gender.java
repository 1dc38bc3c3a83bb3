package io.microrpc.demo.api;

/** A {@link User}'s gender, as the demo data records it. */
public enum Gender {
    FEMALE,
    MALE,
    OTHER,
    UNDISCLOSED
}
