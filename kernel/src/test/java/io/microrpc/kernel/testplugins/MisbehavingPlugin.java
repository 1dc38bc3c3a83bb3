package io.microrpc.kernel.testplugins;

import org.pf4j.Plugin;

/** A PF4J {@code Plugin} class whose {@code start()} misbehaves as its JAR says ({@link Misbehaviour}). */
public final class MisbehavingPlugin extends Plugin {

    @Override
    public void start() {
        try {
            Misbehaviour.act(getClass(), 1);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
