"""`build DIR... --scheduler ADDRESS`: a batch's trials as tasks of a Dask distributed
cluster (here Dask's own LocalCluster, worker processes on this machine), each task one
build that appends its version to the archive through the index's transaction."""
import shutil

import pytest
from distributed import LocalCluster  # the test extra installs it: never skipped

from conftest import EXAMPLE, run_cli

ENV = {"SOURCE_DATE_EPOCH": "1735689600"}


@pytest.fixture(scope="module")
def scheduler():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def test_trials_built_as_dask_tasks_equal_single_builds_and_keep_the_chain(scheduler, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(EXAMPLE, other)
    (other / "trial.toml").write_text((other / "trial.toml").read_text().replace('id = "S1318"', 'id = "S1318-B"'))
    single = run_cli("build", str(EXAMPLE), "--format", "pdf", "--out", str(tmp_path / "single"), env=ENV)
    batch = run_cli("build", str(EXAMPLE), str(other), str(EXAMPLE), "--format", "pdf", "--scheduler", scheduler,
                    "--out", "out", cwd=tmp_path, env=ENV)
    assert single.returncode == 0 and batch.returncode == 0, batch.stderr
    assert batch.stderr.count("Built S1318 summary report") == 2 and "Built S1318-B summary report" in batch.stderr
    expected = (tmp_path / "single" / "S1318" / "summary" / "2018-07-31-v1" / "summary.pdf").read_bytes()
    versions = sorted((tmp_path / "out" / "S1318" / "summary").iterdir())
    assert [v.name for v in versions] == ["2018-07-31-v1", "2018-07-31-v2"]
    assert all((v / "summary.pdf").read_bytes() == expected for v in versions)
    verified = run_cli("archive", "verify", "--out", str(tmp_path / "out"))
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_bad_input_on_a_worker_is_reported_like_a_local_one(scheduler, tmp_path):
    result = run_cli("build", str(tmp_path / "missing"), "--scheduler", scheduler, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no trial spec here" in result.stderr and "Traceback" not in result.stderr


def test_no_scheduler_at_the_address_exits_2(tmp_path):
    result = run_cli("build", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no Dask scheduler answered at tcp://127.0.0.1:9" in result.stderr and "Traceback" not in result.stderr
