package io.microrpc.kernel.admin;

import io.microrpc.kernel.admin.AdminRoutes.Lane;
import io.microrpc.kernel.admin.AdminRoutes.Route;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection, after the HTTP codec: checks who sent a request ({@link AdminGuard}) and its
 * size as it arrives, hands it to its
 * {@link Lane}, and writes the answer. One request at a time: reading stops while a request is being
 * answered; a request that arrived with it and is read meanwhile (pipelining) is dropped, and the
 * connection closed after the answer (clients send an unanswered request again). A request refused for its form
 * or size is answered with what was wrong, then the connection is closed after the client has read
 * the answer (output shut down, input discarded until the client closes or the request timeout).
 *
 * <p>One per connection; its state is owned by the connection's event loop. Actions on a lane hop
 * back to the event loop to answer.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdminConnection.class);

    private enum State {
        READING,
        ANSWERING,
        CLOSING
    }

    private final AdminGuard guard;
    private final AdminRoutes routes;
    private final Lanes lanes;
    private final AdminLimits limits;
    private final RequestDeadline deadline;
    private State state = State.READING;
    private AdminRequest request;
    private boolean keepAlive;
    private long bodyBytes;
    private boolean pipelined;

    AdminConnection(AdminGuard guard, AdminRoutes routes, Lanes lanes, AdminLimits limits, RequestDeadline deadline) {
        this.guard = guard;
        this.routes = routes;
        this.lanes = lanes;
        this.limits = limits;
        this.deadline = deadline;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            read(ctx, msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void read(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSING) {
            return;
        }
        if (state == State.ANSWERING) {
            pipelined = true;
            return;
        }
        if (msg instanceof HttpRequest) {
            HttpRequest r = (HttpRequest) msg;
            if (r.decoderResult().isFailure()) {
                refuse(ctx, malformed(r.decoderResult().cause()));
                return;
            }
            AdminAnswer refusal =
                    guard.refusal(r, ((InetSocketAddress) ctx.channel().localAddress()).getPort());
            if (refusal != null) {
                refuse(ctx, refusal);
                return;
            }
            long length;
            try {
                length = HttpUtil.getContentLength(r, 0L);
            } catch (NumberFormatException e) {
                refuse(
                        ctx,
                        AdminAnswer.text(
                                400,
                                "Content-Length: '" + r.headers().get(HttpHeaderNames.CONTENT_LENGTH)
                                        + "' (expected: a number of bytes)\n"));
                return;
            }
            if (length > limits.maxBodyBytes()) {
                refuse(ctx, tooLarge(length));
                return;
            }
            request = parse(r);
            if (request == null) {
                refuse(
                        ctx,
                        AdminAnswer.text(
                                400,
                                "malformed request target '" + r.uri() + "' (expected: /path?name=value, "
                                        + "with %-escapes for special characters, e.g. /switch?point=loadbalancer&name=round-robin)\n"));
                return;
            }
            keepAlive = HttpUtil.isKeepAlive(r);
            bodyBytes = 0;
            if (HttpUtil.is100ContinueExpected(r)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
        }
        if (msg instanceof HttpContent) {
            HttpContent content = (HttpContent) msg;
            if (content.decoderResult().isFailure()) {
                refuse(ctx, malformed(content.decoderResult().cause()));
                return;
            }
            if (request == null) {
                return;
            }
            bodyBytes += content.content().readableBytes();
            if (bodyBytes > limits.maxBodyBytes()) {
                refuse(ctx, tooLarge(bodyBytes));
                return;
            }
            if (msg instanceof LastHttpContent) {
                AdminRequest complete = request;
                request = null;
                dispatch(ctx, complete);
            }
        }
    }

    private static AdminRequest parse(HttpRequest r) {
        try {
            URI uri = new URI(r.uri());
            String path = uri.getPath();
            return path == null ? null : new AdminRequest(r.method().name(), path, uri.getRawQuery());
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private void dispatch(ChannelHandlerContext ctx, AdminRequest r) {
        state = State.ANSWERING;
        deadline.busy();
        ctx.channel().config().setAutoRead(false);
        Route route = routes.route(r);
        if (route.lane() == Lane.INLINE) {
            answer(ctx, routes.answer(route, r));
            return;
        }
        try {
            lanes.run(route.lane(), r, () -> {
                AdminAnswer answer;
                try {
                    answer = routes.answer(route, r);
                } catch (Throwable e) { // an Error from the kernel or a plugin: the connection still gets its answer
                    log.error("Admin request {} failed", r.line(), e);
                    answer = AdminAnswer.text(500, e + "\n");
                }
                AdminAnswer done = answer;
                try {
                    ctx.executor().execute(() -> answer(ctx, done));
                } catch (RejectedExecutionException closed) {
                    runAfterSent(done); // the endpoint is closing
                }
            });
        } catch (RejectedExecutionException e) {
            answer(ctx, AdminAnswer.text(503, lanes.busy(route.lane())));
        }
    }

    private void answer(ChannelHandlerContext ctx, AdminAnswer answer) {
        if (!ctx.channel().isActive()) {
            runAfterSent(answer);
            return;
        }
        boolean keep = keepAlive && !pipelined;
        deadline.waitForClient(); // the client must take the answer in time, too
        ctx.writeAndFlush(response(answer, keep)).addListener(written -> {
            runAfterSent(answer);
            if (!keep || !written.isSuccess()) {
                ctx.close();
                return;
            }
            state = State.READING;
            deadline.waitForClient();
            ctx.channel().config().setAutoRead(true);
        });
    }

    /** Answers a request refused for its form or size, then closes once the client has read the answer. */
    private void refuse(ChannelHandlerContext ctx, AdminAnswer answer) {
        log.debug(
                "Admin connection {} refused: {}",
                ctx.channel().remoteAddress(),
                answer.body().trim());
        state = State.CLOSING;
        request = null;
        deadline.closing();
        ctx.writeAndFlush(response(answer, false)).addListener(written -> {
            // Closing now could reset the connection before the client reads the answer, when its
            // request is still arriving; end the output instead and close when the client does.
            if (written.isSuccess() && ctx.channel() instanceof DuplexChannel) {
                ((DuplexChannel) ctx.channel()).shutdownOutput();
            } else {
                ctx.close();
            }
        });
    }

    private AdminAnswer malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return AdminAnswer.text(
                    414,
                    "request line too long: more than " + limits.maxRequestLine() + " bytes "
                            + "(expected: METHOD /path?query HTTP/1.1 within " + limits.maxRequestLine() + " bytes)\n");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return AdminAnswer.text(
                    431,
                    "request headers too large: more than " + limits.maxHeaderBytes() + " bytes "
                            + "in all (expected: a few short headers; the admin endpoint needs none but Host and Authorization)\n");
        }
        return AdminAnswer.text(
                400, "malformed HTTP request: " + cause.getMessage() + " (expected: HTTP/1.1, e.g. GET /health)\n");
    }

    private AdminAnswer tooLarge(long bytes) {
        return AdminAnswer.text(
                413,
                "request body too large: " + bytes + " bytes (expected: at most " + limits.maxBodyBytes()
                        + "; the admin endpoint reads no body, its parameters go in the query string, e.g. POST /weight?weight=20)\n");
    }

    private static void runAfterSent(AdminAnswer answer) {
        if (answer.afterSent() != null) {
            answer.afterSent().run();
        }
    }

    static FullHttpResponse response(AdminAnswer answer, boolean keepAlive) {
        byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        answer.headers().forEach(response.headers()::set);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("Admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("Admin connection {} failed; closing it", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
