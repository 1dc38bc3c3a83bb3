package io.microrpc.dist.archfixtures.cycle.a;

import io.microrpc.dist.archfixtures.cycle.b.CycleB;

/** Fixture: half of a package cycle, which the architecture rules must reject. */
public final class CycleA {

    public CycleB other() {
        return new CycleB();
    }
}
