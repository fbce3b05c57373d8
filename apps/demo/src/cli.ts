console.log('tlsbio');
