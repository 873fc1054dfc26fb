package dev.switchboard.relay;

/**
 * What the relay did with one connection, for its log record.
 *
 * @param connectionId    the server's number for the connection
 * @param upstream        where it went ({@code host:port}), or the last one tried if none answered
 * @param outcome         {@code ok}, {@code reset}, {@code idle-timeout}, {@code upstream-refused},
 *                        {@code upstream-timeout}, {@code upstream-unreachable}, {@code upstream-failed},
 *                        {@code shutdown}, {@code interrupted}
 * @param bytesToUpstream bytes the caller sent that reached the upstream
 * @param bytesToClient   bytes the upstream sent that reached the caller
 */
public record RelayRecord(long connectionId, String upstream, String outcome, long bytesToUpstream, long bytesToClient) {
}
