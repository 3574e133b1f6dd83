/** The shell of production and development builds (no conformance adapter). */
import { startShell } from './shell.ts';

void startShell();
