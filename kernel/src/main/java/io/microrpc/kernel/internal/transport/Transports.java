package io.microrpc.kernel.internal.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Picks Netty's native epoll transport where it is available (Linux), NIO otherwise. Set the system
 * property {@code microrpc.transport=nio} to force NIO.
 */
public final class Transports {

    private static final boolean EPOLL =
            !"nio".equalsIgnoreCase(System.getProperty("microrpc.transport")) && Epoll.isAvailable();

    private Transports() {}

    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** A group of {@code threads} event loops (0 = Netty's default, 2 × cores) with named daemon threads. */
    public static EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory factory = new KernelThreadFactory(name);
        return EPOLL ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public static Class<? extends ServerChannel> serverChannelClass() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> socketChannelClass() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
