package dev.kiln.server.retention;

import dev.kiln.server.disk.DiskFloor;
import dev.kiln.server.disk.DiskUsage;
import dev.kiln.spec.api.ServerStatusView;
import java.io.IOException;
import java.nio.file.Path;

/** What {@code kiln server status} shows: disk use per kind, room left, builds, retention. */
public final class StatusService {
    private final Path dataDir;
    private final DiskFloor floor;
    private final Retention retention;

    public StatusService(Path dataDir, DiskFloor floor, Retention retention) {
        this.dataDir = dataDir;
        this.floor = floor;
        this.retention = retention;
    }

    public ServerStatusView status() throws IOException {
        DiskFloor.Reading disk = floor.read();
        DiskUsage.Usage u = DiskUsage.of(dataDir);
        RetentionStore.Counts c = retention.counts();
        RetentionPolicy p = retention.policy();
        ServerStatusView.Sweep sweep = retention.last().map(s ->
                new ServerStatusView.Sweep(s.time(), s.builds(), s.sources(), s.leftovers(), s.bytes())).orElse(null);
        return new ServerStatusView(
                new ServerStatusView.Disk(disk.free(), disk.total(), disk.floor(), disk.nearlyFull()),
                new ServerStatusView.Usage(u.database(), u.logs(), u.sources(), u.other(), u.total()),
                new ServerStatusView.Builds(c.total(), c.queued(), c.working(), c.ended(), c.kept()),
                new ServerStatusView.Retention(p.keepDays(), p.keepBuilds(), floor.min().describe(), p.describe()),
                sweep);
    }
}
