"""The one place that knows the order of the stages of a build:
load and read (prepare) -> group into a site -> render -> write."""

from __future__ import annotations

from pathlib import Path

from ..model.config import SiteConfig
from .memo import Memo
from .options import BuildOptions, stop_on_errors
from .output_folder import check_output_dir, foreign_files, foreign_problems, list_output
from .prepare import PreparedSite, prepare
from .rendering import BuildResult, SiteRendering
from .write import Staging, start_staging, write_tree

__all__ = ["BuildOptions", "BuildResult", "PreparedSite", "SiteRendering", "build", "build_site", "start_build",
           "stop_on_errors"]


def start_build(config: SiteConfig, options: BuildOptions, memo: Memo | None = None,
                staging: Staging | None = None) -> SiteRendering:
    """The one build function: sources -> the site model -> a rendering that makes each output file when
    asked. `build` asks for everything; serve asks first for the pages of the file an editor saved. The
    model's problems are in `.prepared.problems` (the caller stops on them: see `build`).
    `memo`: where work may be skipped (none: all is done). `staging`: where pages go as they are rendered
    (their files then say write.STAGED)."""
    memo = memo if memo is not None else Memo()
    return SiteRendering(prepare(config, options, memo), memo, staging)


def build(config: SiteConfig, options: BuildOptions = BuildOptions(), memo: Memo | None = None,
          staging: Staging | None = None) -> BuildResult:
    """Sources -> the whole output tree in memory. Raises BuildFailed with every problem found."""
    memo = memo if memo is not None else Memo()
    rendering = start_build(config, options, memo, staging)
    stop_on_errors(list(rendering.prepared.problems), options)
    try:
        rendering.render_all(options.progress)
        return rendering.result()
    finally:
        memo.build_ended()  # what was rendered holds, also when a page failed


def build_site(config: SiteConfig, out_dir: Path, options: BuildOptions = BuildOptions(),
               memo: Memo | None = None) -> BuildResult:
    """Build, then write the output folder; a failed build leaves the last good one untouched."""
    out = check_output_dir(out_dir, config.root)  # before any work: a refused folder leaves no trace
    memo = memo if memo is not None else Memo()
    memo.writes_to(out_dir)
    staging = start_staging(out_dir, config.root)
    try:
        result = build(config, options, memo, staging)
        listing = memo.output_listing() or list_output(out)
        # Files someone else put into the folder are kept, but deployed too: say so (--strict: fail).
        foreign = foreign_problems(out_dir, foreign_files(out, listing.files))
        if foreign:
            stop_on_errors([*result.problems, *foreign], options)
            result.problems.extend(foreign)
        result.written = write_tree(result.files, out_dir, config.root, listing, staging)
    except BaseException:
        if staging is not None:
            staging.discard()  # a failed build leaves nothing, not even its staged pages
        raise
    return result
