package dev.switchboard.model;

import dev.switchboard.proxy.PendingHeader;
import dev.switchboard.proxy.ProxyPolicy;
import dev.switchboard.proxy.ProxyProtocolHandler;
import dev.switchboard.proxy.ProxyResult;
import dev.switchboard.server.Connection;
import dev.switchboard.server.ConnectionTask;
import dev.switchboard.server.ProxiedAdmission;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A connection's PROXY header on a {@link Loop} ({@code --proxy-protocol}), read before its
 * service starts: what {@link ProxyProtocolHandler} and {@link ProxiedAdmission} do on a
 * blocking model, without blocking. Each readable event feeds the {@link PendingHeader} (the
 * same decoder, reasons and deadline as the blocking read; the loop's tick keeps the
 * deadline); the verdict is settled as the blocking path settles it, the access rules and
 * per-address limit are checked again for the header's caller, and an admitted connection is
 * handed over, selection key and all, to its service's driver.
 */
final class LoopHeader implements LoopTask {

    private final Loop loop;
    private final ConnectionTask task;
    private final Connection connection;
    private final ProxyPolicy policy;
    private final ProxiedAdmission admission;
    private PendingHeader header;
    private SelectionKey key;
    private boolean ended;

    LoopHeader(Loop loop, ConnectionTask task, ProxyPolicy policy, ProxiedAdmission admission) {
        this.loop = loop;
        this.task = task;
        this.connection = task.connection();
        this.policy = policy;
        this.admission = admission;
    }

    @Override
    public void open(Selector selector) {
        try {
            ProxyResult untrusted = policy.untrusted(connection);
            if (untrusted != null) {
                verdict(untrusted); // before a byte is read
                return;
            }
            header = policy.reader().begin();
            connection.channel().configureBlocking(false);
            key = connection.channel().register(selector, SelectionKey.OP_READ, this);
        } catch (Throwable t) {
            end(t);
        }
    }

    @Override
    public void ready(SelectionKey k) {
        try {
            if (!k.isValid()) {
                end(new ClosedChannelException());
                return;
            }
            ProxyResult result = header.readFrom(connection.channel());
            if (result != null) verdict(result);
        } catch (Throwable t) {
            end(t);
        }
    }

    private void verdict(ProxyResult result) {
        if (ProxyProtocolHandler.settle(connection, policy.apply(connection, result)) && admission.admits(connection)) {
            ended = true;
            loop.handOver(this, LoopTask.serving(loop, task, admission.next()));
        } else {
            end(null);
        }
    }

    @Override
    public boolean due(long now) {
        return !connection.isOpen() || (header != null && now - header.deadline() >= 0);
    }

    @Override
    public void expire(long now) {
        if (!connection.isOpen()) {
            end(new ClosedChannelException());
        } else {
            try {
                verdict(header.timedOut());
            } catch (Throwable t) {
                end(t);
            }
        }
    }

    @Override
    public void abort(String outcome) {
        connection.outcome(outcome);
        connection.abort();
        end(null);
    }

    private void end(Throwable failure) {
        if (ended) return;
        ended = true;
        loop.ended(this, key, task, failure);
    }
}
