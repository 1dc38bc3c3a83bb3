package io.microrpc.dist.archfixtures.spi;

import io.netty.buffer.ByteBuf;

/** Fixture: an "spi" type that exposes a transport type, which the architecture rules must reject. */
public interface SpiUsingNetty {

    void write(ByteBuf buf);
}
