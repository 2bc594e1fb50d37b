/** PGlite as both sides of Kalphite open it: the packed new database. */
export { PACKED_DATABASE, readPackedDatabase, WITHOUT_LOCAL_DB_TABLES } from './packed-database.js';
