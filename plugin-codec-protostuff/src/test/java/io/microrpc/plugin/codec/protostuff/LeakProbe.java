package io.microrpc.plugin.codec.protostuff;

/**
 * Loaded by a throwaway class loader in {@link ProtostuffFormatTest}: top level and public, so it
 * needs nothing else from the test's package.
 */
public class LeakProbe {

    public Object next;
    public String label = "probe";
}
