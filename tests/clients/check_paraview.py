"""ParaView's XDMFReader opens run.xmf with every time step and every field on physical axes."""
import sys

from paraview.simple import XDMFReader

xmf, expect_steps, lx, depth = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
r = XDMFReader(FileNames=[xmf])
r.UpdatePipelineInformation()
times = list(r.TimestepValues)
assert len(times) == expect_steps, times
r.UpdatePipeline(times[-1])
arrays = sorted(r.PointData.keys())
assert len(arrays) == 13, arrays
b = r.GetDataInformation().GetBounds()
# Values sit on cell centres: x spans (dx/2, lx - dx/2), depth (dx/2, depth - dx/2).
assert abs(b[0] - 0.01) < 1e-6 and abs(b[1] - (lx - 0.01)) < 1e-6, b
assert abs(b[4] - 0.01) < 1e-6 and abs(b[5] - (depth - 0.01)) < 1e-6, b
lo, hi = r.PointData["fibroblasts"].GetRange()
assert lo >= 0 and hi > 1000, (lo, hi)
print("paraview: ok,", len(times), "steps,", len(arrays), "fields, bounds", b)
