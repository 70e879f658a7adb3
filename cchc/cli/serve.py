"""``cchc serve``: the web application for the team (same results, same messages).

Listens on 127.0.0.1 unless ``--host`` says otherwise; any other address needs a users file
(``--users FILE``) or the shared password in ``CCHC_PASSWORD``. ``--add-user NAME`` and
``--remove-user NAME`` change the users file (the password is asked twice, never typed on
the command line) and exit. Uploads and saved variants go into ``--workspace``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from cchc.cli.options import data_option, rules_option
from cchc.web.users import check_name, remove_user, set_user
from scoring.errors import Problem, UsageError
from scoring.i18n import _


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (another than 127.0.0.1 needs --users or "
                   "CCHC_PASSWORD).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True,
              help="Port to listen on.")
@rules_option
@data_option
@click.option("--workspace", "workspace", type=click.Path(path_type=Path),
              default=Path("cchc-workspace"), show_default=True,
              help="Folder for uploads, saved variants and temporary files.")
@click.option("--max-upload-mb", "max_upload_mb", type=click.FloatRange(min=0, min_open=True),
              default=50, show_default=True, help="Largest upload accepted, in MB.")
@click.option("--secure-cookies", is_flag=True,
              help="Mark the session cookie Secure (when served behind HTTPS).")
@click.option("--previous", "previous", type=click.Path(path_type=Path), default=None,
              help="Last year's ranking (a cchc rank workbook, or agency_id,rank,index): "
                   "unit pages show the rank then and now.")
@click.option("--users", "users", type=click.Path(path_type=Path), default=None,
              help="Users file: one 'name:scrypt-hash' per line; each user signs in with "
                   "their own name and password.")
@click.option("--add-user", "add_user", metavar="NAME", default=None,
              help="Add NAME to the --users file (or give them a new password; asked "
                   "twice) and exit.")
@click.option("--remove-user", "remove_user", metavar="NAME", default=None,
              help="Remove NAME from the --users file and exit.")
def serve(host: str, port: int, rules_path: Path, data_path: Path, workspace: Path,
          max_upload_mb: float, secure_cookies: bool, previous: Path | None,
          users: Path | None, add_user: str | None, remove_user: str | None) -> None:
    """Start the web application (Vietnamese; English with ?lang=en or the switch)."""
    if add_user is not None or remove_user is not None:
        manage_users(users, add_user, remove_user)
        return
    import uvicorn

    from cchc.web.app import create_app
    from cchc.web.config import PASSWORD_ENV, WebConfig
    from scoring.dataset import load_dataset
    from scoring.previous import read_previous
    from scoring.rules.loader import load_rules

    config = WebConfig.make(workspace, rules=rules_path, data=data_path, host=host,
                            max_upload_mb=max_upload_mb, secure_cookies=secure_cookies,
                            previous=previous, users=users)
    load_rules(rules_path)  # fail now, with the command line's message, not on the first page
    ds = load_dataset(data_path)
    if previous is not None:
        read_previous(previous, ds)
    shown = f"[{host}]" if ":" in host else host
    click.echo(_("cchc web application: http://{host}:{port}/").format(host=shown, port=port))
    click.echo(_("Workspace: {path}").format(path=config.workspace))
    if config.users_file is not None:
        click.echo(_("Sign-in required: the users of {file}, each with their own password.")
                   .format(file=config.users_file))
    if config.password_hash is not None:
        click.echo(_("Sign-in required: the password is the one in {env}.").format(
            env=PASSWORD_ENV))
    if not config.auth_required:
        click.echo(_("Listening on this computer only; no sign-in."))
    click.echo(_("Stop with Ctrl+C."))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning",
                server_header=False)


def manage_users(users: Path | None, add: str | None, remove: str | None) -> None:
    """``--add-user`` / ``--remove-user``: change the users file, ask passwords twice."""
    if users is None:
        raise UsageError(Problem(_("--add-user and --remove-user change a users file"),
                                 field="--users", fix=_("give it: --users FILE")))
    if add is not None and remove is not None:
        raise UsageError(Problem(_("give --add-user or --remove-user, not both"),
                                 field="--add-user", fix=_("run the command once for each")))
    if remove is not None:
        remove_user(users, remove)
        click.echo(_("{name} removed from {file}.").format(name=remove, file=users))
        return
    name = check_name(add or "")
    password = click.prompt(_("Password for {name}").format(name=name), hide_input=True,
                            confirmation_prompt=_("Repeat the password"))
    new = set_user(users, name, password)
    text = _("{name} added to {file}.") if new else _("{name}: password changed in {file}.")
    click.echo(text.format(name=name, file=users))
