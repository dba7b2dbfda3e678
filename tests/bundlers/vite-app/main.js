// A Vite app that imports the npm package by name (resolved through pkg/package.json's exports).
import init, { GroupsClient, isGroupgateError, limits, phoneToUserId } from 'groupgate';

await init();
const client = new GroupsClient({ baseUrl: 'http://127.0.0.1:9', apiKey: 'k', session: 'default' });
const refused = await client.getGroup('not-a-group').then(() => null, (e) => e);
const code = isGroupgateError(refused) ? refused.errors[0].code : 'no error';
document.body.dataset.result = `${phoneToUserId('+1 (555) 123-4567')} ${limits().groupSize} ${code}`;
