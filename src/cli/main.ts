#!/usr/bin/env node
import { main } from './program.js';
import { installInterruptHandler } from './interrupt.js';

installInterruptHandler();
process.exitCode = await main(process.argv.slice(2));
