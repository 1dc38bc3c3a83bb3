package io.microrpc.dist.archfixtures.cycle.b;

import io.microrpc.dist.archfixtures.cycle.a.CycleA;

/** Fixture: the other half of a package cycle. */
public final class CycleB {

    public CycleA other() {
        return null;
    }
}
