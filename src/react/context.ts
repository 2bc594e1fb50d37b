import { createContext } from 'react';
import type { Kalphite } from '../engine/index.js';

export const KalphiteContext = createContext<Kalphite | null>(null);
