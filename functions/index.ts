/** The Function App entry (`package.json` main): one import per registration file. */
import './durable/run-orchestration';
import './durable/step-orchestration';
import './durable/activities';
import './durable/client-activities';
