"""What the driver knows between requests (see driver.py): the loaded project and the
statements of the command that runs."""


class DriverState:
    def __init__(self):
        self.cfg = None
        self.script = None
        self.url = None
        self.url_env = None
        self.version_files = {}  # abspath -> revision id
        self.import_errors = []
        self.excluded = []
        # Revision files the caller's static graph cannot place (a cycle, a parent that does
        # not exist): left out so alembic can load the rest of the directory.
        self.unplaceable = set()
        self.recording = None  # list of statements while a command runs
        self.pending = []  # stack of in-flight statements
        self.alembic_dir = None
        self.last_error_statement = None
        self.capture_s = 0.0  # time spent in our hooks during the current command
        self.own_statement_timeout_ms = 0  # the guard we put in PGOPTIONS; not the project's
        self.observe = False  # probe rewrites / scans around each statement (pending revisions)
        self.tx_open = []  # observed statements of the transaction still open
        # (connection, probe) taken after the last observed statement; reused as the next one's
        # "before" when nothing ran in between (driver_capture.on_before_execute)
        self.last_probe = None


STATE = DriverState()
