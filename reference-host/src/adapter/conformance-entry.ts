/** The shell of conformance builds: the development shell plus the conformance adapter. */
import { startShell } from '../shell/shell.ts';
import { installConformanceAdapter } from './conformance-adapter.ts';

void startShell().then((shell) => installConformanceAdapter(shell));
